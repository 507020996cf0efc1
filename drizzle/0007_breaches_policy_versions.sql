CREATE TABLE "breach_affected_contacts" (
	"workspace_id" uuid NOT NULL,
	"breach_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	CONSTRAINT "breach_affected_contacts_breach_id_contact_id_pk" PRIMARY KEY("breach_id","contact_id")
);
--> statement-breakpoint
CREATE TABLE "breach_affected_users" (
	"workspace_id" uuid NOT NULL,
	"breach_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	CONSTRAINT "breach_affected_users_breach_id_user_id_pk" PRIMARY KEY("breach_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "breaches" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"detected_at" timestamp (3) with time zone NOT NULL,
	"severity" text NOT NULL,
	"description" text NOT NULL,
	"effects" text NOT NULL,
	"remedial_action" text NOT NULL,
	"authority" text DEFAULT 'CNIL' NOT NULL,
	"authority_notified_at" timestamp (3) with time zone,
	"users_notified_at" timestamp (3) with time zone,
	"controllers_notified_at" timestamp (3) with time zone,
	"reported_by" uuid,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "breaches_severity_check" CHECK (severity in ('low', 'medium', 'high', 'critical'))
);
--> statement-breakpoint
CREATE TABLE "policy_acknowledgements" (
	"workspace_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"policy_version_id" uuid NOT NULL,
	"acknowledged_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "policy_acknowledgements_user_id_policy_version_id_pk" PRIMARY KEY("user_id","policy_version_id")
);
--> statement-breakpoint
CREATE TABLE "policy_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid,
	"version" text NOT NULL,
	"summary" text NOT NULL,
	"material" boolean DEFAULT false NOT NULL,
	"published_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"published_by" uuid
);
--> statement-breakpoint
ALTER TABLE "breach_affected_contacts" ADD CONSTRAINT "breach_affected_contacts_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "breach_affected_contacts" ADD CONSTRAINT "breach_affected_contacts_breach_id_breaches_id_fk" FOREIGN KEY ("breach_id") REFERENCES "public"."breaches"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "breach_affected_users" ADD CONSTRAINT "breach_affected_users_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "breach_affected_users" ADD CONSTRAINT "breach_affected_users_breach_id_breaches_id_fk" FOREIGN KEY ("breach_id") REFERENCES "public"."breaches"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "breaches" ADD CONSTRAINT "breaches_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "breaches" ADD CONSTRAINT "breaches_reported_by_users_id_fk" FOREIGN KEY ("reported_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policy_acknowledgements" ADD CONSTRAINT "policy_acknowledgements_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policy_acknowledgements" ADD CONSTRAINT "policy_acknowledgements_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policy_acknowledgements" ADD CONSTRAINT "policy_acknowledgements_policy_version_id_policy_versions_id_fk" FOREIGN KEY ("policy_version_id") REFERENCES "public"."policy_versions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policy_versions" ADD CONSTRAINT "policy_versions_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policy_versions" ADD CONSTRAINT "policy_versions_published_by_users_id_fk" FOREIGN KEY ("published_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "breach_affected_contacts_contact_idx" ON "breach_affected_contacts" USING btree ("contact_id");--> statement-breakpoint
CREATE INDEX "breach_affected_users_user_idx" ON "breach_affected_users" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "breaches_ws_detected_idx" ON "breaches" USING btree ("workspace_id","detected_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "policy_versions_platform_version_key" ON "policy_versions" USING btree ("version") WHERE workspace_id is null;--> statement-breakpoint
CREATE UNIQUE INDEX "policy_versions_workspace_version_key" ON "policy_versions" USING btree ("workspace_id","version") WHERE workspace_id is not null;--> statement-breakpoint
CREATE INDEX "policy_versions_published_idx" ON "policy_versions" USING btree ("published_at");