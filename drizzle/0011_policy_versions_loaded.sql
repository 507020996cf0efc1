CREATE TABLE "policy_versions_loaded" (
	"digest" text PRIMARY KEY NOT NULL,
	"files" text NOT NULL,
	"first_seen_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "policy_digest" text;