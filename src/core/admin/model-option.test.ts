import { describe, expect, it } from 'vitest';
import { choice, question } from '../../apps/polls/schema.js';
import { defineApp } from '../apps/define-app.js';
import { createRegistry } from '../apps/registry.js';
import auth from '../auth/app.js';
import { defineModel } from '../models/define-model.js';
import adminApp from './app.js';
import { AdminRegistrationError } from './errors.js';
import { buildAdminSite } from './site.js';

// A model's hooks are declared next to its table and handed to its registration as `model`.
describe('the `model` option of a registration', () => {
  const questionModel = defineModel(question, {
    clean: ({ values }) =>
      String(values['questionText'] ?? '').endsWith('?')
        ? []
        : [{ field: 'questionText', message: 'Ask a question.' }],
  });
  const polls = (model: unknown) =>
    defineApp({
      name: 'polls',
      label: 'Polls',
      schema: { question, choice },
      admin: (site) => site.register(question, { model: model as never }),
    });

  it('is carried by the registration, for every writer of the model', () => {
    const site = buildAdminSite(createRegistry([auth, adminApp, polls(questionModel)]));
    expect(site.get('polls', 'question')!.options.model).toBe(questionModel);
  });

  it('refuses, at boot, the definition of another table', () => {
    const wrong = defineModel(choice, {});
    expect(() => buildAdminSite(createRegistry([auth, adminApp, polls(wrong)]))).toThrow(
      AdminRegistrationError,
    );
    expect(() => buildAdminSite(createRegistry([auth, adminApp, polls(wrong)]))).toThrow(
      /model is the definition of polls_choice, not of this table \(admin\.E004\)/,
    );
  });
});
