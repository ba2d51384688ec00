// The real-guest test runs on its own (`npm run test:real-guest`), never as part of `npm test`:
// it boots two Debian cloud guests under qemu (software emulation where there is no KVM) and
// takes minutes. Same transform as the root config's projects.
const root = require('../../jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  rootDir: '../..',
  displayName: 'real-guest',
  testEnvironment: 'node',
  transform: root.projects[0].transform,
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/test/real-guest/**/*.real-guest.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  maxWorkers: 1,
};
