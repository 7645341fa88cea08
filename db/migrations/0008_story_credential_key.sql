ALTER TABLE `stories` ADD `credential_key` text;--> statement-breakpoint
CREATE UNIQUE INDEX `stories_workspace_credential` ON `stories` (`workspace_id`,`credential_key`);