// The chaos suite runs on its own (`npm run test:chaos`), never as part of `npm test`: it starts
// its own PostgreSQL, Redis, simulator, API and workers and takes minutes. Same transform as the
// root config's projects.
const root = require('../../jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  rootDir: '../..',
  displayName: 'chaos',
  testEnvironment: 'node',
  transform: root.projects[0].transform,
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/test/chaos/**/*.chaos.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  maxWorkers: 1,
};
