CREATE TABLE `disposable_domains` (
	`domain` text PRIMARY KEY NOT NULL
);
