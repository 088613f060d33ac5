/**
 * Messages the console does not draw yet (voice, and coaching feedback while its protocol is
 * being settled) are ignored here, so a server newer than the console never breaks it.
 */
import type { ServerMessage } from "@interview/shared/protocol";
import type { AnsweredTurn } from "./transcript.ts";

export function renderFeedback(_message: ServerMessage, _answered: AnsweredTurn | null, _reportBody: HTMLElement): void {
  // Nothing to draw for this message.
}
