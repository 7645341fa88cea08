DROP INDEX `conversions_workspace_referrer`;--> statement-breakpoint
CREATE INDEX `conversions_workspace_referrer` ON `conversions` (`workspace_id`,`referrer_id`,`occurred_at`,`status`,`type`,`customer_id`);--> statement-breakpoint
DROP INDEX `rewards_workspace_learner`;--> statement-breakpoint
CREATE INDEX `rewards_workspace_learner` ON `rewards` (`workspace_id`,`learner_id`,`created_at`,`side`,`kind`,`status`,`customer_id`,`reason`);