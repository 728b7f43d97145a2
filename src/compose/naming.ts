import type { ServiceConfig } from '../model/types.js';

/**
 * Names Docker Compose gives to what it creates (compose-behaviour.md §3.12).
 */

/** `<project>-<service>-<n>`, or the service's `container_name`. */
export function containerName(project: string, service: ServiceConfig, replica: number): string {
  if (service.container_name) return service.container_name;
  return `${project}-${service.name}-${replica}`;
}

/** Name used while a replacement container coexists with the one it replaces: `<oldId[:12]>_<name>`. */
export function temporaryName(oldId: string, finalName: string): string {
  return `${oldId.slice(0, 12)}_${finalName}`;
}

/** The image a service runs: `image`, or `<project>-<service>` for a build without `image`. */
export function serviceImage(project: string, service: ServiceConfig): string {
  return service.image ?? `${project}-${service.name}`;
}

/** Prefix shown in logs and progress: the container name without `<project>-`. */
export function displayName(project: string, container: string): string {
  return container.startsWith(`${project}-`) ? container.slice(project.length + 1) : container;
}
