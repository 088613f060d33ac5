ALTER TABLE `sessionrecord` ADD `participant_id` text;--> statement-breakpoint
CREATE INDEX `sessionrecord_participant_idx` ON `sessionrecord` (`participant_id`);