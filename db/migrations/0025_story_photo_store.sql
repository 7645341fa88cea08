PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_story_photos` (
	`workspace_id` text NOT NULL,
	`story_id` text NOT NULL,
	`source_url` text,
	`hash` text NOT NULL,
	`content_type` text NOT NULL,
	`width` integer NOT NULL,
	`height` integer NOT NULL,
	`bytes` blob,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`workspace_id`, `story_id`)
);
--> statement-breakpoint
INSERT INTO `__new_story_photos`("workspace_id", "story_id", "source_url", "hash", "content_type", "width", "height", "bytes", "created_at") SELECT "workspace_id", "story_id", "source_url", "hash", "content_type", "width", "height", "bytes", "created_at" FROM `story_photos`;--> statement-breakpoint
DROP TABLE `story_photos`;--> statement-breakpoint
ALTER TABLE `__new_story_photos` RENAME TO `story_photos`;--> statement-breakpoint
PRAGMA foreign_keys=ON;