-- The consent ledger and the restriction/objection history are proof (GDPR Art. 7(1), 18, 21):
-- rows are appended, never changed. The only way through is a transaction that sets
-- `alpha.ledger_maintenance` to 'on' (SET LOCAL), which erasure and retention do, and audit.
CREATE FUNCTION alpha_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(current_setting('alpha.ledger_maintenance', true), '') = 'on' THEN
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    IF TG_OP = 'TRUNCATE' THEN RETURN NULL; END IF;
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;
--> statement-breakpoint
CREATE TRIGGER consent_events_append_only BEFORE UPDATE OR DELETE ON consent_events
  FOR EACH ROW EXECUTE FUNCTION alpha_append_only();
--> statement-breakpoint
CREATE TRIGGER consent_events_no_truncate BEFORE TRUNCATE ON consent_events
  FOR EACH STATEMENT EXECUTE FUNCTION alpha_append_only();
--> statement-breakpoint
CREATE TRIGGER contact_privacy_events_append_only BEFORE UPDATE OR DELETE ON contact_privacy_events
  FOR EACH ROW EXECUTE FUNCTION alpha_append_only();
--> statement-breakpoint
CREATE TRIGGER contact_privacy_events_no_truncate BEFORE TRUNCATE ON contact_privacy_events
  FOR EACH STATEMENT EXECUTE FUNCTION alpha_append_only();
