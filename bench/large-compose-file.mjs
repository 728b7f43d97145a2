/**
 * The generated compose file bench/config.mjs times `config` on, and bench/startup.mjs's
 * `--only config200` scenario: `n` services using the common attributes (an image with
 * an interpolated tag, command, environment, a published port, named and bind volumes, labels, a
 * healthcheck, two networks), each depending on the previous one; ten named volumes.
 * @param {number} n how many services
 * @returns {string} the YAML text, with no `version:` key
 */
export function largeComposeFile(n) {
  let y = 'services:\n';
  for (let i = 0; i < n; i++) {
    y += `  svc${i}:\n    image: "busybox:\${TAG:-1.36}"\n    command: ["sh", "-c", "echo ${i} && sleep 1"]\n`;
    y += `    environment:\n      - INDEX=${i}\n      - MODE=\${MODE:-prod}\n    ports:\n      - "${10000 + i}:80"\n`;
    y += `    volumes:\n      - data${i % 10}:/data\n      - ./conf:/etc/conf:ro\n    labels:\n      com.example.index: "${i}"\n`;
    y += `    healthcheck:\n      test: ["CMD", "true"]\n      interval: 30s\n    networks: [front, back]\n`;
    if (i > 0) y += `    depends_on: [svc${i - 1}]\n`;
  }
  y += 'networks:\n  front: {}\n  back: {}\nvolumes:\n';
  for (let v = 0; v < 10; v++) y += `  data${v}: {}\n`;
  return y;
}
