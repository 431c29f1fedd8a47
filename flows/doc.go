// Package flows defines Lijntje's check-in dialogues as data and runs them.
//
// A flow is a YAML file embedded from this directory: steps with stable IDs,
// each a question with answer buttons and/or free text, branches, and the
// rules that turn answers into signals. Every text is a message ID whose
// Dutch and English wording lives in package locales (locales/flow.*.toml).
// The engine is pure: Start and Apply take a State and return the next one,
// with no I/O, clock or randomness; the caller stores the State, sends the
// questions and routes the signals. CrisisMatcher screens free text for
// crisis language (crisis.rules). Check validates flows and translations for
// `lijntje flows check` and CI.
//
// # A check-in's life
//
// A check-in is one run of a flow for one student. Flows change over time;
// a check-in keeps the Flow.Version it started with (store Flow.Source with
// it and Parse it again when the current version differs, see
// Catalog.Version), so a changed flow never breaks an open check-in nor
// alters past answers.
//
//	```mermaid
//	stateDiagram-v2
//	    [*] --> scheduled
//	    scheduled --> open: opener and first question sent (Start)
//	    scheduled --> cancelled: student paused or stopped, urgent case open
//	    open --> answering: first answer (Apply)
//	    answering --> answering: answer, next question (Apply)
//	    open --> open: one reminder after a few hours
//	    answering --> completed: last step answered (Outcome.Done), closer sent
//	    open --> expired: 48 h without finishing (counts as missed)
//	    answering --> expired: 48 h without finishing
//	    open --> cancelled: /stop, or a coach cancels
//	    answering --> cancelled: /stop, or a coach cancels
//	    completed --> [*]
//	    expired --> [*]
//	    cancelled --> [*]
//	```
//
// The standard check-in (checkin.yaml); housing and support are asked
// monthly and otherwise skipped, a skipped step continues to its next:
//
//	```mermaid
//	flowchart LR
//	    mood --> daytime
//	    daytime -- work, school, internship --> daytime_ok --> money
//	    daytime -- looking, home --> money
//	    money --> housing --> support --> contact --> note --> done((closer))
//	```
//
// # Running a check-in
//
//	f, _ := catalog.Current(flows.Standard)
//	state, step := f.Start(f.SkipFor(lastAsked, now))
//	state.Previous = previousAnswers // step → option of the last check-in
//	// send f.Opener, then step.Question with a button per option:
//	//   text: step's Option.Label, callback_data: flows.CallbackData(checkinID, step.ID, option.ID)
//	out, err := f.Apply(state, flows.Input{Step: "mood", Option: "4"})
//	// err: ErrStale (old or forged button: answer the callback, change
//	// nothing), ErrUnknownOption, ErrNeedsOption (ask to tap a button).
//	// Store out.State and out.Answer, route out.Signals, edit the question
//	// to f.Chosen, then ask out.Next, or send f.Closer when out.Done.
//
// Apply does not screen text for crisis language: run CrisisMatcher.Match
// on every text a student sends, inside or outside a check-in. Nor does it
// signal voice messages: the caller sends any voice message to the coach.
//
// # Template data
//
// Every text of a flow is rendered with .Name (the student's first name)
// and .Coach (the coach's first name); the opener and reminder use both,
// the closer and some questions may use them too. The Chosen text, which
// replaces a question once it is answered, gets .Question (the rendered
// question) and .Choice (the rendered label of the chosen option).
//
// # Flow file format
//
//	id: checkin                     # [a-z0-9_]+, equal to the file name (checkin.yaml)
//	opener: flow.checkin.opener     # message IDs, all four required
//	closer: flow.checkin.closer
//	reminder: flow.checkin.reminder
//	chosen: flow.chosen
//	steps:                          # the first step is asked first
//	  - id: daytime                 # [a-z0-9_]+, unique in the flow
//	    question: flow.checkin.daytime.question
//	    role: activity              # optional: mood or activity, see below
//	    every: monthly              # optional: asked when last asked MonthlyInterval ago or more
//	    free_text: false            # true: text or a voice message answers it too
//	    options:                    # buttons: id [a-z0-9_]+ unique in the step, label a message ID
//	      - {id: work, label: flow.checkin.daytime.work}
//	      - {id: home, label: flow.checkin.daytime.home}
//	    branches:                   # optional: the first branch listing the answer wins
//	      - {when: [work], next: daytime_ok}
//	    next: money                 # optional: default the following step; "end" ends
//	rules:
//	  - code: daytime=home          # stable code, unique in the flow
//	    severity: urgent            # request, attention, urgent or crisis
//	    step: daytime
//	    options: [home]             # fires when the answer is one of these
//	    previous: []                # optional: and the previous check-in's answer is one of these
//
// A step's role tells the code what its answers mean, so that nothing else
// names a step or an option: "mood" (options "1".."n", the higher the better:
// the upper panel of a coach's chart of a student) and "activity" (what the
// student does during the day, the options best first: the chart's lower
// panel, and where students are at 3/6/12/24 months in the report). At most
// one step of a flow has each role; lijntje flows check validates them.
//
// A step needs options, free_text or both. Steps must all be reachable
// from the first, and a flow has no loops. A button's callback_data,
// "a:<check-in ID base 36>:<step>:<option>", must fit in 64 bytes for any
// check-in ID, which leaves 47 bytes for step and option ID together. Of
// the rules that fire on one answer, only those of the highest severity are
// reported (mood=1 twice in a row is urgent mood=1x2, not also mood<=2).
// Any change to a file, comments included, makes a new version: the first
// 12 hex digits of the file's SHA-256.
package flows
