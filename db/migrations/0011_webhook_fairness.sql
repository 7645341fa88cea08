ALTER TABLE `webhook_deliveries` ADD `lease_until` integer;--> statement-breakpoint
CREATE INDEX `webhook_deliveries_endpoint_due` ON `webhook_deliveries` (`endpoint_id`,`status`,`next_attempt_at`);--> statement-breakpoint
ALTER TABLE `webhook_endpoints` ADD `consecutive_failures` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `webhook_endpoints` ADD `retry_at` integer;--> statement-breakpoint
ALTER TABLE `webhook_endpoints` ADD `paused_at` integer;--> statement-breakpoint
ALTER TABLE `webhook_endpoints` ADD `pause_reason` text;