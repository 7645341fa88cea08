ALTER TABLE `clicks` ADD `network_key` text;--> statement-breakpoint
CREATE INDEX `clicks_network_key_age` ON `clicks` (`workspace_id`,`created_at`) WHERE network_key is not null;