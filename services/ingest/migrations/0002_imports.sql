-- CSV imports: one row per import with its checkpoint, so an interrupted import resumes after the
-- last row whose events Kafka acknowledged.
CREATE TABLE IF NOT EXISTS imports (
  id text PRIMARY KEY,
  source_id text NOT NULL,
  file_name text,
  mapping jsonb NOT NULL,
  status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'completed', 'failed')),
  rows_done bigint NOT NULL DEFAULT 0,
  rows_accepted bigint NOT NULL DEFAULT 0,
  rows_rejected bigint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Per-row validation failures, kept for the import's report.
CREATE TABLE IF NOT EXISTS import_row_errors (
  import_id text NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
  row_number bigint NOT NULL,
  field text NOT NULL,
  reason text NOT NULL,
  PRIMARY KEY (import_id, row_number, field)
);
