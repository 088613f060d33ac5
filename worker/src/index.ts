/** Worker entry point: the HTTP app and the Durable Object classes wrangler binds. */
import { app } from "./app.ts";

export { InterviewSession } from "./durable/interview-session.ts";
export { GroupAssigner } from "./durable/group-assigner.ts";
export { Participant } from "./durable/participant.ts";
export { SessionDirectory } from "./durable/session-directory.ts";
export { ServiceHealth } from "./health/service-health.ts";

export default app;
