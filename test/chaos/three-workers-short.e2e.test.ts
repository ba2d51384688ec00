// The short 3-worker chaos variant, part of `npm test` (the e2e project) so CI runs it; the full
// sizes run with `npm run test:chaos`. The settings module must be imported first: the suite reads
// them when it loads.
import './support/three-workers-short';
import './provisioning.chaos.test';
