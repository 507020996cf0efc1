ALTER TABLE "contacts" ADD COLUMN "former_emails" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
CREATE INDEX "contacts_former_emails_gin" ON "contacts" USING gin ("former_emails");