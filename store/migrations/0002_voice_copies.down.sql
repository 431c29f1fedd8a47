DROP TABLE signal_copies;
