CREATE TABLE `answerrecord` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`session_id` text NOT NULL,
	`turn` integer NOT NULL,
	`answer` text NOT NULL,
	`style` text NOT NULL,
	`group_name` text,
	`speaking_rate` real,
	`pause_ratio` real,
	`gaze` real,
	`fillers` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`session_id`) REFERENCES `sessionrecord`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `answerrecord_key_unique` ON `answerrecord` (`key`);--> statement-breakpoint
CREATE INDEX `answerrecord_session_idx` ON `answerrecord` (`session_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `answerrecord_group_idx` ON `answerrecord` (`group_name`);--> statement-breakpoint
CREATE TABLE `checkinrecord` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`session_id` text NOT NULL,
	`group_name` text,
	`confidence` integer NOT NULL,
	`stress` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`session_id`) REFERENCES `sessionrecord`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `checkinrecord_key_unique` ON `checkinrecord` (`key`);--> statement-breakpoint
CREATE INDEX `checkinrecord_session_idx` ON `checkinrecord` (`session_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `checkinrecord_group_idx` ON `checkinrecord` (`group_name`);--> statement-breakpoint
CREATE TABLE `sessionrecord` (
	`id` text PRIMARY KEY NOT NULL,
	`style` text NOT NULL,
	`group_name` text,
	`group_assignment` text,
	`consented` integer DEFAULT false NOT NULL,
	`accent` text,
	`notes` text,
	`resume_token_hash` text,
	`object_id` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `sessionrecord_created_at_idx` ON `sessionrecord` (`created_at`);--> statement-breakpoint
CREATE TABLE `telemetryrecord` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`session_id` text NOT NULL,
	`event_type` text NOT NULL,
	`latency_ms` real,
	`group_name` text,
	`payload` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`session_id`) REFERENCES `sessionrecord`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `telemetryrecord_key_unique` ON `telemetryrecord` (`key`);--> statement-breakpoint
CREATE INDEX `telemetryrecord_session_idx` ON `telemetryrecord` (`session_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `telemetryrecord_event_idx` ON `telemetryrecord` (`event_type`,`group_name`);