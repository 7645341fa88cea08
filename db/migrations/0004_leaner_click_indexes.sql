DROP INDEX `clicks_workspace_channel_time`;--> statement-breakpoint
DROP INDEX `clicks_workspace_course_time`;--> statement-breakpoint
DROP INDEX `clicks_dedup`;