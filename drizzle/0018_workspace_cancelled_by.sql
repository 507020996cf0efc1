ALTER TABLE "workspaces" ADD COLUMN "cancelled_by" text;--> statement-breakpoint
ALTER TABLE "workspaces" ADD CONSTRAINT "workspaces_cancelled_by_check" CHECK (cancelled_by in ('owner', 'stripe'));--> statement-breakpoint
-- Cancellations from before the column: a workspace billed through Stripe is taken as cancelled there (reactivation in the app is refused, fail closed), any other by its owner.
UPDATE "workspaces" SET "cancelled_by" = CASE WHEN "stripe_customer_id" IS NULL THEN 'owner' ELSE 'stripe' END WHERE "cancelled_at" IS NOT NULL;
