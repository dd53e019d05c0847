import admin from '../core/admin/app.js';
import api from '../core/api/app.js';
import type { AppManifest } from '../core/apps/define-app.js';
import auth from '../core/auth/app.js';
import contacts from './contacts/app.js';
import polls from './polls/app.js';

/**
 * The installed apps, in dependency order: Slipway's INSTALLED_APPS. Add an app here to get its
 * tables into `makemigrations`, its routes into `serve`, and its checks into `check`.
 */
export const installedApps: readonly AppManifest[] = [auth, admin, api, polls, contacts];
