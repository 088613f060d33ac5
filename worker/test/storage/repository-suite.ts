/**
 * One repository test suite, run against both drivers: libSQL in Node
 * (`repository.libsql.test.ts`) and D1 inside workerd (`test/workerd/repository-d1.test.ts`).
 * Tests share a database within a file, so each uses its own session ids and its own window
 * of timestamps (far from the wall clock) and filters on it.
 */
import { describe, expect, it } from "vitest";
import type { AnswerScore, PersistRecord } from "@interview/shared";
import { earlierScores, sessionScores } from "../../src/storage/feedback-reads.ts";
import type { ResearchDb } from "../../src/storage/research-db.ts";
import { addComment, deleteSession, insertRecords } from "../../src/storage/writes.ts";
import { exportSession, listComments, ping, sessionAccess, sessionRecordCount } from "../../src/storage/reads.ts";
import { listSessions } from "../../src/storage/session-list.ts";
import { metricsAggregates } from "../../src/storage/metrics-aggregates.ts";
import { metricsSummary } from "../../src/stats/summary.ts";

let windowCounter = 0;
/** A fresh block of epoch-ms timestamps, one day long, unique per call in this process. */
export function timeWindow(): number {
  windowCounter += 1;
  return Date.UTC(2100, 0, 1) + Math.floor(Math.random() * 1e5) * 86_400_000 * 3 + windowCounter * 86_400_000;
}

export function sessionRecords(
  base: number,
  opts: {
    group?: "control" | "treatment";
    consented?: boolean;
    pack?: string;
    style?: "supportive" | "neutral" | "cold";
    participantId?: string | null;
    groupAssignment?: "server" | "client" | "admin";
  } = {},
): { id: string; records: PersistRecord[] } {
  const id = crypto.randomUUID();
  const group = opts.group ?? "treatment";
  const style = opts.style ?? "neutral";
  const records: PersistRecord[] = [
    {
      kind: "session",
      key: `${id}:0`,
      sessionId: id,
      style,
      group,
      groupAssignment: opts.groupAssignment ?? "server",
      participantId: opts.participantId === undefined ? `p_${id}` : opts.participantId,
      consented: opts.consented ?? true,
      accent: "en-GB",
      notes: null,
      resumeTokenHash: "ab".repeat(32),
      objectId: "cd".repeat(32),
      createdAt: base,
    },
    {
      kind: "telemetry",
      key: `${id}:1`,
      sessionId: id,
      eventType: "session_meta",
      latencyMs: null,
      group,
      payload: { pack: opts.pack ?? "swe_behavioral", difficulty: "standard" },
      createdAt: base,
    },
  ];
  return { id, records };
}

export function answer(id: string, seq: number, at: number, turn: number, metrics: Partial<Record<"speakingRate" | "pauseRatio" | "gaze" | "fillers", number | null>> = {}, group: "control" | "treatment" = "treatment"): PersistRecord {
  return {
    kind: "answer",
    key: `${id}:${seq}`,
    sessionId: id,
    turn,
    answer: `answer ${turn}`,
    style: "neutral",
    group,
    speakingRate: metrics.speakingRate ?? null,
    pauseRatio: metrics.pauseRatio ?? null,
    gaze: metrics.gaze ?? null,
    fillers: metrics.fillers ?? null,
    createdAt: at,
  };
}

export function checkin(id: string, seq: number, at: number, confidence: number, stress: number, group: "control" | "treatment" = "treatment"): PersistRecord {
  return { kind: "checkin", key: `${id}:${seq}`, sessionId: id, group, confidence, stress, createdAt: at };
}

export function telemetry(id: string, seq: number, at: number, eventType: string, latencyMs: number | null, payload: unknown = {}, group: "control" | "treatment" = "treatment"): PersistRecord {
  return { kind: "telemetry", key: `${id}:${seq}`, sessionId: id, eventType, latencyMs, group, payload, createdAt: at };
}

export function feedback(id: string, seq: number, at: number, turn: number, over: Partial<AnswerScore> = {}): PersistRecord {
  const part = { present: false, quotes: [] };
  const score: AnswerScore = {
    turn, question: "Q?", words: 3, star: { situation: part, task: part, action: part, result: part }, starScore: 0, numbers: [], names: 0,
    singular: 0, plural: 0, hedges: [], relevance: 0.5, wpm: null, fillersPer100Words: null, ...over,
  };
  // The content is stored as given; a minimal object stands in for the analysis here.
  return { kind: "feedback", key: `${id}:${seq}`, sessionId: id, turn, score, content: { words: 3 } as never, delivery: null, createdAt: at };
}

export function repositorySuite(driver: string, database: () => ResearchDb): void {
  describe(`repository on ${driver}`, () => {
    it("answers a ping", async () => {
      await expect(ping(database())).resolves.toBeUndefined();
    });

    it("counts a session's records (answers, check-ins, telemetry), 0 for an unknown session", async () => {
      const db = database();
      const base = timeWindow();
      const { id, records } = sessionRecords(base);
      await insertRecords(db, [...records, answer(id, 3, base + 1, 1), checkin(id, 4, base + 2, 4, 2), telemetry(id, 5, base + 3, "latency", 10)]);
      expect(await sessionRecordCount(db, id)).toBe(records.filter((r) => r.kind !== "session").length + 3);
      expect(await sessionRecordCount(db, `${id}-unknown`)).toBe(0);
    });

    it("stores records once however often they are written, and exports them ordered by time", async () => {
      const db = database();
      const base = timeWindow();
      const { id, records } = sessionRecords(base);
      const rows = [
        ...records,
        answer(id, 3, base + 300, 2, { speakingRate: 150, fillers: 2 }),
        answer(id, 2, base + 100, 1, { speakingRate: 120.5, pauseRatio: 0.2, gaze: 0.9, fillers: 1 }),
        checkin(id, 4, base + 200, 4, 2),
        telemetry(id, 5, base + 150, "latency", 812.5, { turn: 1 }),
      ];
      await insertRecords(db, rows);
      await insertRecords(db, rows);
      await insertRecords(db, [...rows].reverse());
      const exported = await exportSession(db, id);
      expect(exported).not.toBeNull();
      expect(exported!.session).toEqual({
        id,
        style: "neutral",
        group_name: "treatment",
        group_assignment: "server",
        participant_id: `p_${id}`,
        consented: true,
        accent: "en-GB",
        notes: null,
        created_at: new Date(base).toISOString(),
      });
      expect(exported!.answers.map((a) => a.turn)).toEqual([1, 2]);
      expect(exported!.answers[0]).toMatchObject({
        session_id: id,
        answer: "answer 1",
        style: "neutral",
        group_name: "treatment",
        speaking_rate: 120.5,
        pause_ratio: 0.2,
        gaze: 0.9,
        fillers: 1,
        created_at: new Date(base + 100).toISOString(),
      });
      expect(exported!.checkins).toHaveLength(1);
      expect(exported!.checkins[0]).toMatchObject({ confidence: 4, stress: 2, group_name: "treatment" });
      expect(exported!.telemetry.map((t) => t.event_type)).toEqual(["session_meta", "latency"]);
      expect(exported!.telemetry[1]!.payload).toEqual({ turn: 1 });
      expect(exported!.telemetry[1]!.latency_ms).toBe(812.5);
      expect(exported!.telemetry[1]!.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    });

    it("upserts the session row by id", async () => {
      const db = database();
      const { id, records } = sessionRecords(timeWindow(), { consented: true });
      await insertRecords(db, records);
      const changed = { ...records[0]!, consented: false, notes: "second write" } as PersistRecord;
      await insertRecords(db, [changed]);
      const exported = await exportSession(db, id);
      expect(exported!.session.consented).toBe(false);
      expect(exported!.session.notes).toBe("second write");
      const access = await sessionAccess(db, id);
      expect(access).toEqual({ id, groupName: "treatment", consented: false, resumeTokenHash: "ab".repeat(32), objectId: "cd".repeat(32) });
    });

    it("writes large batches in chunks the database accepts", async () => {
      const db = database();
      const base = timeWindow();
      const { id, records } = sessionRecords(base);
      const many = Array.from({ length: 60 }, (_, i) => telemetry(id, 10 + i, base + i, "question", null, { turn: i }));
      const answers = Array.from({ length: 30 }, (_, i) => answer(id, 100 + i, base + i, i + 1, { gaze: i / 30 }));
      await insertRecords(db, [...records, ...many, ...answers]);
      const exported = await exportSession(db, id);
      expect(exported!.telemetry).toHaveLength(61);
      expect(exported!.answers).toHaveLength(30);
      expect(exported!.telemetry.slice(1).map((t) => (t.payload as { turn: number }).turn)).toEqual(
        Array.from({ length: 60 }, (_, i) => i),
      );
    });

    it("returns null for an unknown session", async () => {
      expect(await exportSession(database(), crypto.randomUUID())).toBeNull();
      expect(await sessionAccess(database(), crypto.randomUUID())).toBeNull();
    });

    it("lists the newest sessions with answer aggregates", async () => {
      const db = database();
      // Far beyond every other test's window, so these are the newest rows in the table.
      const base = Date.UTC(9000, 0, 1) + Math.floor(Math.random() * 1e9);
      const a = sessionRecords(base, { group: "control" });
      const b = sessionRecords(base + 1000);
      const c = sessionRecords(base + 2000);
      await insertRecords(db, [
        ...a.records,
        ...b.records,
        ...c.records,
        answer(b.id, 2, base + 1100, 1, { speakingRate: 100, pauseRatio: 0.1, gaze: 0.5, fillers: 1 }),
        answer(b.id, 3, base + 1200, 2, { speakingRate: 200, fillers: 4 }),
      ]);
      const { items } = await listSessions(db, { limit: 2 });
      expect(items.map((i) => i.id)).toEqual([c.id, b.id]);
      expect(items[0]).toMatchObject({ n_answers: 0, last_turn: 0, last_answer_at: null, avg_speaking_rate: null });
      expect(items[1]).toMatchObject({
        n_answers: 2,
        last_turn: 2,
        last_answer_at: new Date(base + 1200).toISOString(),
        avg_speaking_rate: 150,
        avg_pause_ratio: 0.1,
        avg_gaze: 0.5,
        avg_fillers: 2.5,
        consented: true,
      });
    });

    it("filters the sessions list like the study's figures, by arm, participant and consent, and pages it without repeats", async () => {
      const db = database();
      const base = Date.UTC(9500, 0, 1) + Math.floor(Math.random() * 1e9);
      const window = { from: base, to: base + 10_000 };
      const made = [
        sessionRecords(base, { group: "control", style: "cold", participantId: "list-p1", pack: "leadership" }),
        sessionRecords(base + 1000, { group: "treatment", consented: false, participantId: "list-p1" }),
        sessionRecords(base + 2000, { group: "treatment", groupAssignment: "client", style: "cold" }),
        sessionRecords(base + 2000, { group: "control" }),
        sessionRecords(base + 3000, { group: "treatment" }),
        // Outside the window on either side.
        sessionRecords(base - 1, { group: "control" }),
        sessionRecords(base + 10_000, { group: "control" }),
      ];
      await insertRecords(db, made.flatMap((m) => m.records));
      const ids = async (query: Parameters<typeof listSessions>[1]) => (await listSessions(db, { ...window, ...query })).items.map((i) => i.id);
      const [p1Control, p1Unconsented, clientChosen, sameInstant, newest] = made.map((m) => m.id) as [string, string, string, string, string];
      // Same created_at: the id breaks the tie, as the order does.
      const [tieFirst, tieSecond] = [clientChosen, sameInstant].sort().reverse() as [string, string];

      expect(await ids({ limit: 100 })).toEqual([newest, tieFirst, tieSecond, p1Unconsented, p1Control]);
      expect(await ids({ limit: 100, group: "control" })).toEqual([sameInstant, p1Control]);
      expect(await ids({ limit: 100, style: "cold" })).toEqual([clientChosen, p1Control]);
      expect(await ids({ limit: 100, participantId: "list-p1" })).toEqual([p1Unconsented, p1Control]);
      expect(await ids({ limit: 100, consented: false })).toEqual([p1Unconsented]);
      expect(await ids({ limit: 100, excludeClientAssigned: true })).not.toContain(clientChosen);
      expect(await ids({ limit: 100, pack: "leadership" })).toEqual([p1Control]);

      // Two at a time: every session once, in order, and the last page says so.
      const seen: string[] = [];
      let before: { createdAt: number; id: string } | undefined;
      for (let pages = 0; pages < 5; pages++) {
        const page = await listSessions(db, { ...window, limit: 2, ...(before ? { before } : {}) });
        seen.push(...page.items.map((i) => i.id));
        if (page.next === null) break;
        const at = page.next.indexOf(":");
        before = { createdAt: Number(page.next.slice(0, at)), id: page.next.slice(at + 1) };
      }
      expect(seen).toEqual([newest, tieFirst, tieSecond, p1Unconsented, p1Control]);
    });

    it("stores comments and assignments as telemetry and lists them in time order", async () => {
      const db = database();
      const base = timeWindow();
      const { id, records } = sessionRecords(base, { group: "control" });
      await insertRecords(db, records);
      await addComment(db, { sessionId: id, turn: 2, text: "later", author: null, kind: "comment", groupName: "control", key: `http:${crypto.randomUUID()}`, createdAt: base + 20 });
      await addComment(db, { sessionId: id, turn: 1, text: "first", author: "ana", kind: "assignment", groupName: "control", key: `http:${crypto.randomUUID()}`, createdAt: base + 10 });
      const items = await listComments(db, id);
      expect(items.map((i) => [i.event_type, i.payload])).toEqual([
        ["assignment", { turn: 1, text: "first", author: "ana", kind: "assignment" }],
        ["comment", { turn: 2, text: "later", author: null, kind: "comment" }],
      ]);
      expect(items[0]!.group_name).toBe("control");
    });

    it("deletes a session and every row that references it", async () => {
      const db = database();
      const base = timeWindow();
      const { id, records } = sessionRecords(base);
      const other = sessionRecords(base);
      await insertRecords(db, [...records, answer(id, 2, base, 1), checkin(id, 3, base, 1, 1), ...other.records]);
      expect(await deleteSession(db, id)).toBe(true);
      expect(await exportSession(db, id)).toBeNull();
      expect(await deleteSession(db, id)).toBe(false);
      expect(await exportSession(db, other.id)).not.toBeNull();
      // The rows are gone, not orphaned: the same keys can be written again.
      await insertRecords(db, [...records, answer(id, 2, base, 1)]);
      expect((await exportSession(db, id))!.answers).toHaveLength(1);
    });

    it("stores each answer's feedback once, exports it by turn, reads it for the report and deletes it with its session", async () => {
      const db = database();
      const base = timeWindow();
      const participantId = `p_${crypto.randomUUID()}`;
      const earlier = sessionRecords(base, { participantId });
      const later = sessionRecords(base + 10, { participantId });
      const rows = [
        ...earlier.records,
        feedback(earlier.id, 5, base + 2, 1, { starScore: 1, hedges: ["maybe"] }),
        ...later.records,
        feedback(later.id, 6, base + 12, 2, { starScore: 4 }),
        feedback(later.id, 5, base + 11, 1, { starScore: 3, wpm: 150 }),
      ];
      await insertRecords(db, rows);
      await insertRecords(db, rows);
      const exported = (await exportSession(db, later.id))!;
      expect(exported.feedback.map((f) => [f.turn, f.star_score, f.words_per_minute])).toEqual([
        [1, 3, 150],
        [2, 4, null],
      ]);
      expect(exported.feedback[0]!.content).toEqual({ words: 3 });
      expect(await sessionRecordCount(db, later.id)).toBe(later.records.length - 1 + 2);
      expect((await sessionScores(db, later.id)).map((s) => s.turn)).toEqual([1, 2]);
      expect(await earlierScores(db, participantId, base + 10)).toEqual([[expect.objectContaining({ turn: 1, starScore: 1 })]]);
      expect(await earlierScores(db, participantId, base)).toEqual([]);
      expect(await deleteSession(db, later.id)).toBe(true);
      expect(await sessionScores(db, later.id)).toEqual([]);
    });

    it("aggregates metrics per session and group, filtered by time, pack and style", async () => {
      const db = database();
      const base = timeWindow();
      const s1 = sessionRecords(base, { group: "control", pack: "leadership", style: "cold" });
      const s2 = sessionRecords(base + 10, { group: "treatment", pack: "leadership" });
      const outside = sessionRecords(base + 86_400_000, { group: "treatment", pack: "leadership" });
      await insertRecords(db, [
        ...s1.records,
        ...s2.records,
        ...outside.records,
        answer(s1.id, 2, base + 1, 1, { speakingRate: 100, fillers: 1 }, "control"),
        answer(s1.id, 3, base + 2, 2, { speakingRate: 110, fillers: 2 }, "control"),
        checkin(s1.id, 4, base + 3, 3, 4, "control"),
        telemetry(s1.id, 5, base + 4, "latency", 500, {}, "control"),
        telemetry(s1.id, 6, base + 5, "turn_latency", 12, {}, "control"),
        telemetry(s1.id, 7, base + 6, "question", null, {}, "control"),
        answer(s2.id, 2, base + 11, 1, { gaze: 0.5 }),
        checkin(s2.id, 3, base + 12, 5, 1, "control"),
        answer(outside.id, 2, base + 86_400_001, 1, { speakingRate: 999 }),
      ]);
      const all = await metricsAggregates(db, { from: base, to: base + 86_400_000 });
      const find = (id: string, group: string) => all.find((a) => a.sessionId === id && a.group === group);
      expect(all).toHaveLength(3);
      expect(find(s1.id, "control")).toEqual({
        sessionId: s1.id,
        group: "control",
        sessionGroup: "control",
        participantId: `p_${s1.id}`,
        groupAssignment: "server",
        rows: { answers: 2, checkins: 1, latency: 1, turn_latency: 1 },
        sums: {
          speaking_rate: [210, 2],
          pause_ratio: [0, 0],
          gaze: [0, 0],
          fillers: [3, 2],
          confidence: [3, 1],
          stress: [4, 1],
          latency_ms: [500, 1],
          turn_latency_ms: [12, 1],
        },
      });
      // A check-in may name another group than its session's: its rows keep the group they
      // name (for the seed's pooled means), labelled with the session's own group.
      expect(find(s2.id, "control")!.rows).toEqual({ checkins: 1 });
      expect(find(s2.id, "control")!.sessionGroup).toBe("treatment");
      expect(find(s2.id, "treatment")!.sums.gaze).toEqual([0.5, 1]);
      expect(find(s2.id, "treatment")!.sessionGroup).toBe("treatment");
      // Through the summary, that session is one treatment session, not one in each arm.
      const summary = metricsSummary(all);
      expect(summary.groups.control).toMatchObject({ n_sessions: 1, n_checkins: 2, avg_confidence: 4 });
      expect(summary.groups.treatment).toMatchObject({ n_sessions: 1, n_checkins: 0 });
      expect(summary.per_session.confidence.control).toMatchObject({ n: 1, mean: 3 });
      expect(summary.per_session.confidence.treatment).toMatchObject({ n: 1, mean: 5 });
      const cold = await metricsAggregates(db, { from: base, to: base + 86_400_000, style: "cold" });
      expect(cold.map((a) => a.sessionId)).toEqual([s1.id]);
      const pack = await metricsAggregates(db, { from: base, to: base + 2 * 86_400_000, pack: "leadership" });
      expect(new Set(pack.map((a) => a.sessionId))).toEqual(new Set([s1.id, s2.id, outside.id]));
      expect(await metricsAggregates(db, { from: base, to: base + 2 * 86_400_000, pack: "swe_behavioral" })).toEqual([]);
    });

    it("stores the session's participant (null for rows from before participants) and lists it", async () => {
      const db = database();
      const base = timeWindow();
      const known = sessionRecords(base, { participantId: "study-42", groupAssignment: "admin" });
      const legacy = sessionRecords(base + 1, { participantId: null });
      // An outbox row written before participants existed has no participantId at all.
      const [legacyRow, ...legacyRest] = legacy.records;
      const { participantId: _none, ...oldShape } = legacyRow as Extract<PersistRecord, { kind: "session" }>;
      await insertRecords(db, [...known.records, oldShape as PersistRecord, ...legacyRest]);
      expect((await exportSession(db, known.id))!.session).toMatchObject({ participant_id: "study-42", group_assignment: "admin" });
      expect((await exportSession(db, legacy.id))!.session).toMatchObject({ participant_id: null });
      // The upsert of a repeated session row keeps (or sets) the participant.
      await insertRecords(db, known.records);
      expect((await sessionAccess(db, known.id))?.id).toBe(known.id);
      const { items } = await listSessions(db, { limit: 100 });
      expect(items.find((i) => i.id === known.id)).toMatchObject({ participant_id: "study-42" });
      expect(items.find((i) => i.id === legacy.id)).toMatchObject({ participant_id: null });
    });

    it("counts participants once per arm and client-assigned sessions, and can leave those out", async () => {
      const db = database();
      const base = timeWindow();
      // Participant A (server-assigned, control): two sessions. B (control, client's choice): one.
      // C (treatment, admin): one. A session from before participants (treatment): its own participant.
      const a1 = sessionRecords(base, { group: "control", participantId: "A" });
      const a2 = sessionRecords(base + 1, { group: "control", participantId: "A" });
      const b = sessionRecords(base + 2, { group: "control", participantId: "B", groupAssignment: "client" });
      const c = sessionRecords(base + 3, { group: "treatment", participantId: "C", groupAssignment: "admin" });
      const old = sessionRecords(base + 4, { group: "treatment", participantId: null });
      await insertRecords(db, [
        ...a1.records, ...a2.records, ...b.records, ...c.records, ...old.records,
        answer(a1.id, 2, base + 10, 1, { speakingRate: 100 }, "control"),
        answer(a2.id, 2, base + 11, 1, { speakingRate: 120 }, "control"),
        answer(a2.id, 3, base + 12, 2, { speakingRate: 140 }, "control"),
        answer(b.id, 2, base + 13, 1, { speakingRate: 300 }, "control"),
        answer(c.id, 2, base + 14, 1, { speakingRate: 150 }),
        answer(old.id, 2, base + 15, 1, { speakingRate: 170 }),
      ]);
      const aggregates = await metricsAggregates(db, { from: base, to: base + 1_000 });
      const summary = metricsSummary(aggregates);
      expect(summary.groups.control).toMatchObject({ n_sessions: 3, n_participants: 2, n_answers: 4 });
      expect(summary.groups.treatment).toMatchObject({ n_sessions: 2, n_participants: 2 });
      expect(summary.client_assigned).toEqual({ n_sessions: 1, n_participants: 1, excluded: false });
      // Per participant, A weighs once: the mean of its three answers (120), and B's 300.
      expect(summary.per_participant.speaking_rate.control).toMatchObject({ n: 2, mean: 210 });
      expect(summary.per_session.speaking_rate.control).toMatchObject({ n: 3 });
      const without = metricsSummary(aggregates, { excludeClientAssigned: true });
      expect(without.groups.control).toMatchObject({ n_sessions: 2, n_participants: 1, n_answers: 3, avg_speaking_rate: 120 });
      expect(without.groups.treatment).toMatchObject({ n_sessions: 2, n_participants: 2 });
      expect(without.client_assigned).toEqual({ n_sessions: 1, n_participants: 1, excluded: true });
    });
  });
}
