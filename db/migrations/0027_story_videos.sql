ALTER TABLE `stories` ADD `video_hash` text;--> statement-breakpoint
ALTER TABLE `stories` ADD `video_type` text;--> statement-breakpoint
ALTER TABLE `stories` ADD `video_bytes` integer;--> statement-breakpoint
ALTER TABLE `stories` ADD `video_duration_ms` integer;--> statement-breakpoint
ALTER TABLE `stories` ADD `poster_hash` text;--> statement-breakpoint
ALTER TABLE `stories` ADD `poster_type` text;--> statement-breakpoint
ALTER TABLE `stories` ADD `transcript` text;