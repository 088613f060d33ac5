/**
 * The research dashboard at `/dashboard`: the admin token (this tab only), control vs
 * treatment with CIs and effect sizes, the sessions list, one session's transcript, check-ins,
 * timeline, comments, exports and deletion. Every refusal is shown in words (admin-api.ts).
 */
import type { SessionExport } from "../../../worker/src/storage/reads.ts";
import { byId, showAlert } from "../common/dom.ts";
import { adminFetch, adminToken, setAdminToken } from "./admin-api.ts";
import { ANSWER_COLUMNS, TELEMETRY_COLUMNS, download, toCsv } from "./csv.ts";
import { filterParams, loadStudy, type StudyFilters } from "./study.ts";
import { loadComments, loadReport, loadSessions, renderCheckins, renderTimeline, renderTranscript } from "./sessions.ts";

const page = {
  tokenForm: byId<HTMLFormElement>("token-form"),
  token: byId<HTMLInputElement>("token"),
  forgetToken: byId<HTMLButtonElement>("forget-token"),
  alert: byId("alert"),
  filters: byId<HTMLFormElement>("filters"),
  counts: byId("study-counts"),
  effect: byId<HTMLCanvasElement>("effect-chart"),
  charts: byId("metric-charts"),
  table: byId("metrics-table"),
  sessionsForm: byId<HTMLFormElement>("sessions-form"),
  limit: byId<HTMLInputElement>("limit"),
  listGroup: byId<HTMLSelectElement>("list-group"),
  listParticipant: byId<HTMLInputElement>("list-participant"),
  sessions: byId("sessions"),
  sessionsMore: byId<HTMLButtonElement>("sessions-more"),
  detail: byId("detail"),
  detailTitle: byId("detail-title"),
  detailMeta: byId("detail-meta"),
  transcript: byId("detail-transcript"),
  checkins: byId("detail-checkins"),
  report: byId("detail-report"),
  timeline: byId<HTMLCanvasElement>("timeline-chart"),
  comments: byId("comments"),
  commentForm: byId<HTMLFormElement>("comment-form"),
  commentTurn: byId<HTMLInputElement>("comment-turn"),
  commentAuthor: byId<HTMLInputElement>("comment-author"),
  commentText: byId<HTMLTextAreaElement>("comment-text"),
  exportJson: byId<HTMLButtonElement>("export-json"),
  exportCsv: byId<HTMLButtonElement>("export-csv"),
  exportCsvTelemetry: byId<HTMLButtonElement>("export-csv-telemetry"),
  deleteSession: byId<HTMLButtonElement>("delete-session"),
};

let openSession: SessionExport | null = null;
/** The list's query and where its next page starts (`next` of the last page; null: no more). */
let listQuery = new URLSearchParams();
let listNext: string | null = null;

/** Runs a dashboard action; a refusal or an unreachable server is shown in the alert box. */
async function attempt(action: () => Promise<unknown>): Promise<void> {
  try {
    await action();
  } catch (error) {
    showAlert(page.alert, error instanceof Error ? error.message : String(error));
  }
}

function filters(): StudyFilters {
  const data = new FormData(page.filters);
  return {
    from: String(data.get("from") ?? ""),
    to: String(data.get("to") ?? ""),
    pack: String(data.get("pack") ?? ""),
    style: String(data.get("style") ?? ""),
    excludeClientAssigned: data.get("excludeClientAssigned") === "on",
    unit: data.get("unit") === "per_participant" ? "per_participant" : "per_session",
  };
}

async function refresh(): Promise<void> {
  showAlert(page.alert, "");
  await loadStudy(filters(), { counts: page.counts, effect: page.effect, charts: page.charts, table: page.table });
  await listSessions(Number(page.limit.value) || 20);
}

/** The first page of the sessions list under the study's filters and the list's own. */
async function listSessions(limit: number): Promise<void> {
  const query = filterParams(filters());
  query.set("limit", String(limit));
  if (page.listGroup.value) query.set("group", page.listGroup.value);
  const participant = page.listParticipant.value.trim();
  if (participant) query.set("participantId", participant);
  listQuery = query;
  await showPage(false);
}

async function showPage(append: boolean): Promise<void> {
  const query = new URLSearchParams(listQuery);
  if (append && listNext) query.set("before", listNext);
  const result = await loadSessions(query, page.sessions, (id) => void attempt(() => open(id)), append);
  listNext = result.next;
  page.sessionsMore.hidden = listNext === null;
}

async function open(id: string): Promise<void> {
  const exported = await adminFetch<SessionExport>(`/export/session/${encodeURIComponent(id)}`);
  openSession = exported;
  const s = exported.session;
  page.detail.hidden = false;
  page.detailTitle.textContent = `Session ${s.id}`;
  page.detailMeta.textContent = `Started ${s.created_at}; arm ${s.group_name ?? "–"} (${s.group_assignment ?? "–"}); style at start ${s.style}; consent ${s.consented ? "yes" : "no"}; ${exported.answers.length} answers, ${exported.checkins.length} check-ins.`;
  renderTranscript(exported, page.transcript);
  renderCheckins(exported, page.checkins);
  renderTimeline(exported, page.timeline);
  await Promise.all([loadComments(s.id, page.comments), loadReport(s.id, page.report)]);
  page.detailTitle.focus();
}

page.token.value = adminToken();
page.tokenForm.addEventListener("submit", (event) => {
  event.preventDefault();
  setAdminToken(page.token.value.trim());
  void attempt(refresh);
});
page.forgetToken.addEventListener("click", () => {
  setAdminToken("");
  page.token.value = "";
  showAlert(page.alert, "The token is forgotten in this tab.", "info");
});
page.filters.addEventListener("submit", (event) => {
  event.preventDefault();
  void attempt(refresh);
});
page.sessionsForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const limit = Number(page.limit.value);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) return showAlert(page.alert, "List 1 to 100 sessions.");
  void attempt(() => listSessions(limit));
});
page.sessionsMore.addEventListener("click", () => void attempt(() => showPage(true)));
page.exportJson.addEventListener("click", () => {
  if (openSession) download(`session-${openSession.session.id}.json`, JSON.stringify(openSession, null, 2), "application/json");
});
page.exportCsv.addEventListener("click", () => {
  if (openSession) download(`session-${openSession.session.id}-answers.csv`, toCsv(openSession.answers as unknown as Record<string, unknown>[], ANSWER_COLUMNS), "text/csv");
});
page.exportCsvTelemetry.addEventListener("click", () => {
  if (openSession) download(`session-${openSession.session.id}-telemetry.csv`, toCsv(openSession.telemetry as unknown as Record<string, unknown>[], TELEMETRY_COLUMNS), "text/csv");
});
page.deleteSession.addEventListener("click", () => {
  const session = openSession;
  if (!session) return;
  if (!window.confirm(`Delete session ${session.session.id} everywhere? This cannot be undone.`)) return;
  void attempt(async () => {
    await adminFetch(`/sessions/${encodeURIComponent(session.session.id)}`, { method: "DELETE" });
    openSession = null;
    page.detail.hidden = true;
    // The figures and the list without it, then the confirmation.
    await refresh();
    showAlert(page.alert, `Session ${session.session.id} was deleted.`, "info");
  });
});
page.commentForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const session = openSession;
  if (!session) return;
  const text = page.commentText.value.trim();
  if (!text) return showAlert(page.alert, "Write the comment first.");
  void attempt(async () => {
    await adminFetch("/comments", {
      method: "POST",
      body: { sessionId: session.session.id, turn: Number(page.commentTurn.value) || 0, text, author: page.commentAuthor.value.trim() || null },
    });
    page.commentText.value = "";
    await loadComments(session.session.id, page.comments);
  });
});

void attempt(refresh);
