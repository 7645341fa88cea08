ALTER TABLE `stories` ADD `source` text DEFAULT 'form' NOT NULL;--> statement-breakpoint
ALTER TABLE `stories` ADD `imported_from` text;--> statement-breakpoint
ALTER TABLE `stories` ADD `import_key` text;--> statement-breakpoint
CREATE UNIQUE INDEX `stories_workspace_import` ON `stories` (`workspace_id`,`import_key`);