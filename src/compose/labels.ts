/**
 * The labels Docker Compose writes (docker/compose `pkg/api/labels.go`); Capstan writes the same
 * so that either tool can manage a project the other started. Observed state is read back from
 * these labels only: Capstan keeps no state file.
 */
export const Label = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  containerNumber: 'com.docker.compose.container-number',
  oneoff: 'com.docker.compose.oneoff',
  /** `run` containers only: the random ID their name ends with the first 12 hex digits of. */
  slug: 'com.docker.compose.slug',
  configHash: 'com.docker.compose.config-hash',
  version: 'com.docker.compose.version',
  workingDir: 'com.docker.compose.project.working_dir',
  configFiles: 'com.docker.compose.project.config_files',
  environmentFile: 'com.docker.compose.project.environment_file',
  dependsOn: 'com.docker.compose.depends_on',
  image: 'com.docker.compose.image',
  replace: 'com.docker.compose.replace',
  network: 'com.docker.compose.network',
  volume: 'com.docker.compose.volume',
  /** On `pre_start` hook containers: the hook type (`pre_start`). They are not service containers. */
  hook: 'com.docker.compose.hook',
  /**
   * Capstan's own addition: per-attribute digests of the service config, so a plan can say
   * *which* attribute changed ("environment.LOG_LEVEL") instead of only "config hash differs".
   * Docker Compose ignores it.
   */
  configDigest: 'dev.capstan.config-digest',
} as const;

/** The version written into `com.docker.compose.version`. Compose writes its own version. */
export const COMPOSE_VERSION_LABEL = '5.5.0';

/** Engine API label filter selecting everything of one project: `label=com.docker.compose.project=<name>`. */
export function projectFilter(project: string): Record<string, string[]> {
  return { label: [`${Label.project}=${project}`] };
}
