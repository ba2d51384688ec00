import type { PdfVerifier } from '@betang/documents';
import type { Router } from 'express';
import type { AppDeps } from '../deps';
import type { RouteRegistry } from '../http/route';

/** What every routes file receives: the router to mount on, the OpenAPI registry, the deps (with the verification pool createApp settled on). */
export type RoutesContext = { router: Router; registry: RouteRegistry; deps: AppDeps & { pdfVerifier: PdfVerifier } };
