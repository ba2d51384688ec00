// The chaos suite with three worker processes (full size; `npm run test:chaos` runs it after the
// 2-worker one). The settings module must be imported first: the suite reads them when it loads.
import './support/three-workers';
import './provisioning.chaos.test';
