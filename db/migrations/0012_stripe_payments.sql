CREATE TABLE `stripe_payments` (
	`workspace_id` text NOT NULL,
	`payment_intent` text NOT NULL,
	`conversion_external_id` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`workspace_id`, `payment_intent`),
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action
);
