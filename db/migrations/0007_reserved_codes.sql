CREATE TABLE `reserved_codes` (
	`workspace_id` text NOT NULL,
	`name` text NOT NULL,
	`skeleton` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`workspace_id`, `name`),
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reserved_codes_skeleton` ON `reserved_codes` (`skeleton`);