-- Development database initialization (spec: scripts/init-dev-db.sql).
-- Runs once, when the container starts on an empty data volume; safe to run again.

-- Create extensions
CREATE EXTENSION IF NOT EXISTS "uuid-ossp";

-- Create helper function for updated_at triggers
CREATE OR REPLACE FUNCTION update_updated_at_column()
RETURNS TRIGGER AS $$
BEGIN
    NEW.updated_at = NOW();
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

-- Schema will be created by application on first run
-- This is just for extensions and helper functions
