ALTER TABLE "users" ADD COLUMN "consented_purposes" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
CREATE INDEX "users_consented_gin" ON "users" USING gin ("consented_purposes");