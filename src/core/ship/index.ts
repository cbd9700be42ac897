/** What build, run, smoke, stop and push act on in a workspace: pure, shared by the CLI and the extension. */
export * from './shipTarget';
export * from './containerLabels';
export * from './sampleInput';
export * from './expectedAnswer';
export * from './clusterLimits';
