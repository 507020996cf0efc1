CREATE TABLE "privacy_request_answers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"request_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"ref" text NOT NULL,
	"linked_by" uuid,
	"linked_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "privacy_request_answers_kind_check" CHECK (kind in ('export', 'erasure', 'rectification', 'restriction', 'objection', 'consent_withdrawal'))
);
--> statement-breakpoint
CREATE TABLE "privacy_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"contact_id" uuid,
	"user_id" uuid,
	"type" text NOT NULL,
	"law" text DEFAULT 'gdpr' NOT NULL,
	"status" text DEFAULT 'received' NOT NULL,
	"details" text,
	"verification_method" text,
	"verification_note" text,
	"verified_at" timestamp (3) with time zone,
	"verified_by" uuid,
	"received_at" timestamp (3) with time zone NOT NULL,
	"due_at" timestamp (3) with time zone NOT NULL,
	"extended_until" timestamp (3) with time zone,
	"extension_reason" text,
	"started_at" timestamp (3) with time zone,
	"completed_at" timestamp (3) with time zone,
	"rejected_at" timestamp (3) with time zone,
	"rejection_reason" text,
	"created_by" uuid,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "privacy_requests_subject_check" CHECK ((contact_id is null) <> (user_id is null)),
	CONSTRAINT "privacy_requests_type_check" CHECK (type in ('access', 'rectification', 'erasure', 'restriction', 'portability', 'objection', 'withdraw_consent')),
	CONSTRAINT "privacy_requests_status_check" CHECK (status in ('received', 'in_progress', 'completed', 'rejected')),
	CONSTRAINT "privacy_requests_law_check" CHECK (law in ('gdpr', 'ccpa')),
	CONSTRAINT "privacy_requests_verification_check" CHECK (verification_method is null or verification_method in ('email_link', 'account_signed_in', 'id_document', 'other')),
	CONSTRAINT "privacy_requests_extension_check" CHECK ((extended_until is null) = (extension_reason is null)),
	CONSTRAINT "privacy_requests_rejection_check" CHECK ((status = 'rejected') = (rejection_reason is not null))
);
--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "time_zone" text;--> statement-breakpoint
ALTER TABLE "privacy_request_answers" ADD CONSTRAINT "privacy_request_answers_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "privacy_request_answers" ADD CONSTRAINT "privacy_request_answers_request_id_privacy_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."privacy_requests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "privacy_requests" ADD CONSTRAINT "privacy_requests_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "privacy_request_answers_key" ON "privacy_request_answers" USING btree ("request_id","kind","ref");--> statement-breakpoint
CREATE INDEX "privacy_requests_ws_idx" ON "privacy_requests" USING btree ("workspace_id","received_at","id");--> statement-breakpoint
CREATE INDEX "privacy_requests_due_idx" ON "privacy_requests" USING btree ("workspace_id","due_at","id");--> statement-breakpoint
CREATE INDEX "privacy_requests_open_idx" ON "privacy_requests" USING btree ("workspace_id",coalesce(extended_until, due_at)) WHERE status in ('received', 'in_progress');--> statement-breakpoint
CREATE INDEX "privacy_requests_contact_idx" ON "privacy_requests" USING btree ("workspace_id","contact_id");--> statement-breakpoint
CREATE INDEX "privacy_requests_user_idx" ON "privacy_requests" USING btree ("workspace_id","user_id");