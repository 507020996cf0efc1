-- The decision log is evidence like the ledgers: appended, never changed. Retention will
-- purge old entries through the same transaction-local `alpha.ledger_maintenance` switch.
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION alpha_append_only();
--> statement-breakpoint
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION alpha_append_only();
