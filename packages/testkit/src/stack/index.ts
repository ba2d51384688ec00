export * from './ports';
export * from './processes';
export * from './services';
export * from './betang-processes';
export * from './simulator-process';
export * from './loopback-server';
export * from './api-session';
export * from './request-world';
