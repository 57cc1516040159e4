-- ODRAS lattices: the lattice document's own keys (analysis_summary, confidence, domains...) as
-- written (json, not jsonb: the text and its key order stay as submitted; nothing queries into it),
-- and what the submission found suspicious but ran anyway (warnings[]).
ALTER TABLE run
    ADD COLUMN lattice_metadata json,
    ADD COLUMN warnings         jsonb;

-- The data flow behind a data_flow link, as submitted (description, trigger_event...), for the
-- processors; null for parent links.
ALTER TABLE task_input ADD COLUMN flow jsonb;

-- Model calls made by one attempt: a structured-output repair is a second call inside the same
-- attempt. Null on attempts written before this column, which made one call when they have a model.
ALTER TABLE task_attempt ADD COLUMN calls integer;
