import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../core/apps/define-app.js';
import { staleReadDb } from '../../core/db/database.js';
import { wantsJson } from '../../core/http/problem.js';
import {
  InvalidChoiceError,
  NO_CHOICE_MESSAGE,
  ONE_CHOICE_MESSAGE,
  QuestionNotFoundError,
  VoteNeedsPostError,
} from './errors.js';
import { isRowId, latestQuestions, questionDetail, questionResults, vote } from './service.js';
import { detailPage } from './templates/detail-page.js';
import { indexPage } from './templates/index-page.js';
import { notFoundPage } from './templates/not-found-page.js';
import { resultsPage } from './templates/results-page.js';

interface IdParams {
  id: string;
}

/**
 * A path's `:id` as a row id. Anything else (`abc`, `01`, `-1`, `1e3`, 99999999999) names no
 * question: a 404, never a database error.
 */
function parseQuestionId(raw: string): number {
  const id = /^[1-9]\d{0,9}$/.test(raw) ? Number(raw) : 0;
  if (!isRowId(id)) throw new QuestionNotFoundError(raw);
  return id;
}

/** The form's `choice` as a row id, or 0 for one that cannot exist (the service refuses it). */
function parseChoiceId(raw: string): number {
  return /^[1-9]\d{0,9}$/.test(raw) ? Number(raw) : 0;
}

function sendHtml(reply: FastifyReply, body: string, cacheControl: string) {
  return reply.type('text/html; charset=utf-8').header('cache-control', cacheControl).send(body);
}

// Counts change with every vote, so caches revalidate; the detail page carries the visitor's
// CSRF token, so no shared cache may keep it and hand it to someone else.
const FRESH = 'no-cache';
const PRIVATE = 'private, no-store';

/**
 * The public polls pages (Django's tutorial): `/polls/`, `/polls/<id>/`, `/polls/<id>/results/`
 * and `POST /polls/<id>/vote/`, which the auth app's CSRF check guards like every POST.
 */
export function registerPollsRoutes(app: FastifyInstance, { database }: AppContext): void {
  // Writes and the reads that decide them use the primary; pages that may be a little stale
  // read from a replica that has caught up with this client's last write.
  const db = database.db;
  const readDb = (request: FastifyRequest) => staleReadDb(database, request.lsnToken);

  // A missing or unpublished poll gets a 404 in the polls pages' shell, with a way back; other
  // errors go on to the server's handler.
  app.setErrorHandler((error, request, reply) => {
    if (!(error instanceof QuestionNotFoundError) || wantsJson(request)) throw error;
    return sendHtml(reply.code(404), notFoundPage(error.message), FRESH);
  });

  app.get('/polls', async (_request, reply) => reply.redirect('/polls/', 301));

  app.get('/polls/', async (request, reply) =>
    sendHtml(reply, indexPage(await latestQuestions(readDb(request), new Date())), FRESH),
  );

  app.get<{ Params: IdParams }>('/polls/:id/', async (request, reply) => {
    const detail = await questionDetail(readDb(request), parseQuestionId(request.params.id), new Date());
    return sendHtml(reply, detailPage(detail, { csrfToken: request.csrfToken }), PRIVATE);
  });

  app.get<{ Params: IdParams }>('/polls/:id/results/', async (request, reply) => {
    const results = await questionResults(readDb(request), parseQuestionId(request.params.id), new Date());
    return sendHtml(reply, resultsPage(results), FRESH);
  });

  app.get<{ Params: IdParams }>('/polls/:id/vote/', async (request, reply) => {
    await questionDetail(db, parseQuestionId(request.params.id), new Date()); // 404 when there is no such poll
    reply.header('allow', 'POST');
    throw new VoteNeedsPostError();
  });

  app.post<{ Params: IdParams }>('/polls/:id/vote/', async (request, reply) => {
    const questionId = parseQuestionId(request.params.id);
    const now = new Date();
    // A form sends a string; a JSON client may send a number. Two values (or none) are no choice.
    const raw = (request.body as Record<string, unknown> | undefined)?.['choice'];
    const picked = typeof raw === 'number' ? String(raw) : raw;
    try {
      if (Array.isArray(picked)) throw new InvalidChoiceError(ONE_CHOICE_MESSAGE);
      if (typeof picked !== 'string' || picked === '') throw new InvalidChoiceError(NO_CHOICE_MESSAGE);
      await vote(db, questionId, parseChoiceId(picked), now);
    } catch (error) {
      if (!(error instanceof InvalidChoiceError)) throw error;
      // Re-render the form with the message, as Django's tutorial does; the question may still 404.
      const detail = await questionDetail(db, questionId, now);
      const page = detailPage(detail, { csrfToken: request.csrfToken, error: error.message });
      return sendHtml(reply.code(400), page, PRIVATE);
    }
    // 303: the browser follows with a GET, so reloading the results never votes twice.
    return reply.redirect(`/polls/${questionId}/results/`, 303);
  });
}
