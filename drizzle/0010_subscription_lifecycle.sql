CREATE TABLE "stripe_events" (
	"id" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"outcome" text NOT NULL,
	"processed_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "workspace_purges" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"cancelled_at" timestamp (3) with time zone NOT NULL,
	"purge_after" timestamp (3) with time zone NOT NULL,
	"retention_months" integer NOT NULL,
	"purged_at" timestamp (3) with time zone NOT NULL,
	"counts" jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "workspaces" DROP CONSTRAINT "workspaces_subscription_status_check";--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "purged_at" timestamp (3) with time zone;--> statement-breakpoint
CREATE INDEX "stripe_events_processed_idx" ON "stripe_events" USING btree ("processed_at");--> statement-breakpoint
CREATE UNIQUE INDEX "workspaces_stripe_customer_key" ON "workspaces" USING btree ("stripe_customer_id");--> statement-breakpoint
ALTER TABLE "workspaces" ADD CONSTRAINT "workspaces_purged_check" CHECK ((subscription_status = 'purged') = (purged_at is not null));--> statement-breakpoint
ALTER TABLE "workspaces" ADD CONSTRAINT "workspaces_subscription_status_check" CHECK (subscription_status in ('trialing', 'active', 'past_due', 'cancelled', 'purged'));