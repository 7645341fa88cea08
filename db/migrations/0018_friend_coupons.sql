CREATE TABLE `friend_coupons` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`code` text NOT NULL,
	`match_key` text NOT NULL,
	`source` text NOT NULL,
	`referral_code_id` text,
	`offer_key` text DEFAULT '' NOT NULL,
	`stripe_status` text DEFAULT 'none' NOT NULL,
	`stripe_promotion_code_id` text,
	`stripe_attempts` integer DEFAULT 0 NOT NULL,
	`stripe_error` text,
	`expires_at` integer,
	`disabled_at` integer,
	`claimed_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `friend_coupons_key` ON `friend_coupons` (`workspace_id`,`match_key`);--> statement-breakpoint
CREATE UNIQUE INDEX `friend_coupons_referral_offer` ON `friend_coupons` (`workspace_id`,`referral_code_id`,`offer_key`) WHERE referral_code_id is not null;--> statement-breakpoint
CREATE INDEX `friend_coupons_pool` ON `friend_coupons` (`workspace_id`,`source`,`referral_code_id`);--> statement-breakpoint
CREATE INDEX `friend_coupons_stripe` ON `friend_coupons` (`workspace_id`,`stripe_status`);--> statement-breakpoint
CREATE INDEX `friend_coupons_promotion` ON `friend_coupons` (`workspace_id`,`stripe_promotion_code_id`);--> statement-breakpoint
CREATE TABLE `stripe_accounts` (
	`workspace_id` text PRIMARY KEY NOT NULL,
	`api_key_ciphertext` text NOT NULL,
	`api_key_hint` text NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action
);
