CREATE TABLE `feedbackrecord` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`session_id` text NOT NULL,
	`turn` integer NOT NULL,
	`star_score` integer NOT NULL,
	`relevance` real NOT NULL,
	`numbers` integer NOT NULL,
	`hedges` integer NOT NULL,
	`words_per_minute` real,
	`fillers_per_100_words` real,
	`score` text NOT NULL,
	`content` text NOT NULL,
	`delivery` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`session_id`) REFERENCES `sessionrecord`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `feedbackrecord_key_unique` ON `feedbackrecord` (`key`);--> statement-breakpoint
CREATE INDEX `feedbackrecord_session_idx` ON `feedbackrecord` (`session_id`,`turn`);