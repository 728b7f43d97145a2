/**
 * Data-driven runner over compose-go's loader / override / cli / transform / format tests, as
 * extracted into /work/shared/conformance/loader_cases (read at test time, never copied here).
 *
 * Every subcase becomes one test. A subcase passes when all its checks hold (see
 * loader_cases/README.md "How to read expected.json" and ./support.ts for the comparison rules).
 * Subcases that do not pass are listed in {@link DIFFERENCES} with a written reason; they run as
 * `it.fails`, so a subcase that starts passing must be taken off the list.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYamlText } from 'yaml';
import { CapstanError } from '../../src/errors.js';
import { loadProject } from '../../src/loader/index.js';
import { mergeLayers } from '../../src/loader/merge.js';
import { normalizeModel } from '../../src/loader/normalize.js';
import { parseVolumeSpec } from '../../src/loader/volumes.js';
import { parseYaml } from '../../src/loader/yaml.js';
import type { Project } from '../../src/model/types.js';
import { CONFORMANCE_DIR, HAVE_CONFORMANCE, errorForms, expandPlaceholders, getPath, isEmpty, isMissing, looseEqual } from './support.js';

const ROOT = join(CONFORMANCE_DIR, 'loader_cases');

interface Check {
  op: string;
  sub: number;
  path?: string;
  value?: unknown;
  value_yaml?: string;
  root?: string;
}
interface Subcase {
  id: number;
  kind: string;
  label: string | null;
  dir: string;
  options?: Record<string, unknown>;
  environment?: Record<string, string> | string;
  env?: Record<string, string> | string | null;
  working_dir?: string;
  working_dir_case_relative?: string;
  cwd?: string;
  cwd_case_relative?: string;
  config_files?: { upstream_filename: string; file: string }[];
  cli_options?: Record<string, unknown[]>[];
  inputs?: string[];
  input?: string;
  function?: string;
  /** The upstream Go call, e.g. `parsed, _ := ParseVolume(x.input)`. */
  call?: string;
  process_env?: Record<string, string>;
}
interface CaseFile {
  test: string;
  subcases: Subcase[];
}

/**
 * Deliberate differences, keyed by `<case dir>#<sub id>`, each with its reason. They run as
 * `it.fails`: one that starts passing must be removed from here.
 */
const DIFFERENCES: Record<string, string> = {
  "format/volume_test/TestIsFilePath#1": "tests compose-go internal function isFilePath on Go values; Capstan has no such entry point (behaviour checked through whole-file cases)",
  "format/volume_test/TestParseVolumeSplitCases#1": "Windows paths: Capstan loads for Linux engines only",
  "format/volume_test/TestParseVolumeSplitCases#10": "Windows paths: Capstan loads for Linux engines only",
  "format/volume_test/TestParseVolumeSplitCases#12": "Windows paths: Capstan loads for Linux engines only",
  "format/volume_test/TestParseVolumeSplitCases#14": "Windows paths: Capstan loads for Linux engines only",
  "format/volume_test/TestParseVolumeSplitCases#2": "Windows paths: Capstan loads for Linux engines only",
  "format/volume_test/TestParseVolumeSplitCases#27": "Windows paths: Capstan loads for Linux engines only",
  "format/volume_test/TestParseVolumeSplitCases#28": "Windows paths: Capstan loads for Linux engines only",
  "format/volume_test/TestParseVolumeWindowsNamedPipe#1": "Windows paths: Capstan loads for Linux engines only",
  "format/volume_test/TestParseVolumeWithVariableDefaultValueWindows#1": "Windows paths: Capstan loads for Linux engines only",
  "format/volume_test/TestParseVolumeWithVariableDefaultValueWindows#2": "Windows paths: Capstan loads for Linux engines only",
  "format/volume_test/TestParseVolumeWithVariableDefaultValueWindows#3": "Windows paths: Capstan loads for Linux engines only",
  "loader/extends_test/TestExtends#1": "upstream assertion not expressible as data (listener counts / timing); see index.json untranslated",
  "loader/extends_test/TestLoadExtendsListener#1": "upstream assertion not expressible as data (listener counts / timing); see index.json untranslated",
  "loader/extends_test/TestLoadExtendsListenerMultipleFiles#1": "upstream assertion not expressible as data (listener counts / timing); see index.json untranslated",
  "loader/extends_test/TestLoadExtendsSameFile#1": "upstream assertion not expressible as data (listener counts / timing); see index.json untranslated",
  "loader/loader_test/TestLoadBindMountSourceIsWindowsAbsolute#1": "Windows paths: Capstan loads for Linux engines only",
  "loader/loader_test/TestLoadBindMountSourceIsWindowsAbsolute#2": "Windows paths: Capstan loads for Linux engines only",
  "loader/loader_test/TestLoadBindMountSourceIsWindowsAbsolute#3": "Windows paths: Capstan loads for Linux engines only",
  "loader/loader_test/TestLoadWithNestedResources#1": "custom ResourceLoaders (remote: prefix) are a Go library hook with no CLI equivalent",
  "loader/loader_test/TestLoadWithRemoteResources#1": "custom ResourceLoaders (remote: prefix) are a Go library hook with no CLI equivalent",
  "loader/loader_test/TestLoadWithResourcesCycle#1": "custom ResourceLoaders (remote: prefix) are a Go library hook with no CLI equivalent",
  "loader/omitEmpty_test/TestOmitEmptyPreservesEmptySlice#1": "tests compose-go internal function OmitEmpty on Go values; Capstan has no such entry point (behaviour checked through whole-file cases)",
  "loader/reset_test/TestAliasBombPrevented#1": "upstream assertion not expressible as data (listener counts / timing); see index.json untranslated",
  "loader/reset_test/TestAliasBombPrevented#2": "upstream assertion not expressible as data (listener counts / timing); see index.json untranslated",
  "transform/build_test/Test_transformBuild#1": "tests compose-go internal function transformBuild on Go values; Capstan has no such entry point (behaviour checked through whole-file cases)",
  "transform/build_test/Test_transformBuild#2": "tests compose-go internal function transformBuild on Go values; Capstan has no such entry point (behaviour checked through whole-file cases)",
  "transform/defaults_test/TestRegisterDefaultValue#1": "tests compose-go internal function SetDefaultValues on Go values; Capstan has no such entry point (behaviour checked through whole-file cases)",
  "transform/defaults_test/TestRegisterDefaultValue#2": "tests compose-go internal function SetDefaultValues on Go values; Capstan has no such entry point (behaviour checked through whole-file cases)",
  "transform/defaults_test/TestRegisterDefaultValue#3": "tests compose-go internal function SetDefaultValues on Go values; Capstan has no such entry point (behaviour checked through whole-file cases)",
  "transform/defaults_test/TestRegisterDefaultValue#4": "tests compose-go internal function SetDefaultValues on Go values; Capstan has no such entry point (behaviour checked through whole-file cases)",
  "transform/defaults_test/TestRegisterDefaultValue#5": "tests compose-go internal function SetDefaultValues on Go values; Capstan has no such entry point (behaviour checked through whole-file cases)",
  "transform/defaults_test/TestRegisterDefaultValue#6": "tests compose-go internal function SetDefaultValues on Go values; Capstan has no such entry point (behaviour checked through whole-file cases)",
  "transform/defaults_test/TestRegisterDefaultValue#7": "tests compose-go internal function SetDefaultValues on Go values; Capstan has no such entry point (behaviour checked through whole-file cases)",
  "transform/envfile_test/TestOptional#1": "tests compose-go internal function transformEnvFile on Go values; Capstan has no such entry point (behaviour checked through whole-file cases)",
  "transform/envfile_test/TestSequence#1": "tests compose-go internal function transformEnvFile on Go values; Capstan has no such entry point (behaviour checked through whole-file cases)",
  "transform/envfile_test/TestSingle#1": "tests compose-go internal function transformEnvFile on Go values; Capstan has no such entry point (behaviour checked through whole-file cases)",
  "transform/external_test/TestExternalLegacy#1": "tests compose-go internal function transformMaybeExternal on Go values; Capstan has no such entry point (behaviour checked through whole-file cases)",
  "transform/external_test/TestExternalLegacyNamed#1": "tests compose-go internal function transformMaybeExternal on Go values; Capstan has no such entry point (behaviour checked through whole-file cases)",
  "transform/external_test/TestExternalNamed#1": "tests compose-go internal function transformMaybeExternal on Go values; Capstan has no such entry point (behaviour checked through whole-file cases)",
  "transform/external_test/TestExternalUnnamed#1": "tests compose-go internal function transformMaybeExternal on Go values; Capstan has no such entry point (behaviour checked through whole-file cases)",
  "transform/external_test/TestNotExternal#1": "tests compose-go internal function transformMaybeExternal on Go values; Capstan has no such entry point (behaviour checked through whole-file cases)",
  "transform/ports_test/Test_portDefaults#1": "tests compose-go internal function portDefaults on Go values; Capstan has no such entry point (behaviour checked through whole-file cases)",
  "transform/ports_test/Test_transformPorts#1": "tests compose-go internal function transformPorts on Go values; Capstan has no such entry point (behaviour checked through whole-file cases)",
  "transform/ports_test/Test_transformPorts#2": "tests compose-go internal function transformPorts on Go values; Capstan has no such entry point (behaviour checked through whole-file cases)",
  "transform/ports_test/Test_transformPorts#3": "tests compose-go internal function transformPorts on Go values; Capstan has no such entry point (behaviour checked through whole-file cases)",
  "transform/ssh_test/TestSSHConfig#1": "tests compose-go internal function transformSSH on Go values; Capstan has no such entry point (behaviour checked through whole-file cases)",
};

/**
 * Known gaps (NOT deliberate): behaviour Capstan does not match yet, with what the runner saw.
 * Also `it.fails`; shrink this list as the loader catches up.
 */
const GAPS: Record<string, string> = {
  "cli/options_test/TestEnvVariablePrecedence#1": "no_error : unexpected error: no configuration file provided: not found",
  "cli/options_test/TestEnvVariablePrecedence#2": "no_error : unexpected error: no configuration file provided: not found",
  "cli/options_test/TestProjectComposefilesFromSetOfFiles#1": "no_error : unexpected error: no configuration file provided: not found",
  "cli/options_test/TestProjectComposefilesFromSetOfFiles#2": "no_error : unexpected error: no configuration file provided: not found",
  "cli/options_test/TestProjectComposefilesFromStdin#1": "no_error : unexpected error: open \u2026/options_test/TestProjectComposefilesFromStdin/s01/stdin: no such file or directory",
  "cli/options_test/TestProjectComposefilesFromStdin#2": "no_error : unexpected error: open \u2026/options_test/TestProjectComposefilesFromStdin/s02/stdin: no such file or directory",
  "cli/options_test/TestProjectName#10": "no_error : unexpected error: project name must not be empty",
  "cli/options_test/TestProjectName#11": "no_error : unexpected error: project name could not be derived from directory \"/\": must consist only of lowercase alphanumeric characters, h",
  "cli/options_test/TestProjectName#12": "error_contains : error \"project name could not be derived from directory \\\"/\\\": must consist only of lowercase alphanumeric characters, hyph",
  "cli/options_test/TestProjectName#15": "error_contains : expected error \"invalid project name \\\"-my_project\\\"\"",
  "cli/options_test/TestProjectName#18": "error_contains : expected error \"invalid project name \\\"_my_project\\\"\"",
  "cli/options_test/TestProjectName#21": "error_contains : expected error \"invalid project name \\\"www.my.project\\\"\"",
  "cli/options_test/TestProjectName#24": "error_contains : expected error \"invalid project name \\\"MY_PROJECT\\\"\"",
  "cli/options_test/TestProjectName#26": "equal name: got \"main\", want \"cli\"",
  "cli/options_test/TestProjectName#6": "equal name: got \"simple\", want \"42my_project_env\"",
  "cli/options_test/TestProjectName#7": "no_error : unexpected error: project name must not be empty",
  "cli/options_test/TestProjectName#8": "no_error : unexpected error: project name must not be empty",
  "cli/options_test/TestProjectName#9": "no_error : unexpected error: project name must not be empty",
  "format/volume_test/TestParseVolumeInvalidEmptySpec#1": "error_contains : error \"invalid volume specification: \\\"\\\": expected [SOURCE:]TARGET[:MODE]\" vs \"invalid empty volume spec\"",
  "format/volume_test/TestParseVolumeInvalidSections#1": "error_contains : error \"invalid volume specification: \\\"/foo::rw\\\": expected [SOURCE:]TARGET[:MODE]\" vs \"invalid spec\"",
  "format/volume_test/TestParseVolumeMissingSource#1": "error_contains : error \"invalid volume specification: \\\":foo\\\": expected [SOURCE:]TARGET[:MODE]\" vs \"empty section between colons\"",
  "format/volume_test/TestParseVolumeMissingSource#2": "error_contains : error \"invalid volume specification: \\\"/foo::ro\\\": expected [SOURCE:]TARGET[:MODE]\" vs \"empty section between colons\"",
  "format/volume_test/TestParseVolumeSplitCases#16": "not_equal source: load failed: invalid volume specification: \"0123456789name:d:\": expected [SOURCE:]TARGET[:MODE]",
  "format/volume_test/TestParseVolumeSplitCases#17": "not_equal source: load failed: invalid volume specification: \"MiXeDcAsEnAmE:d:\": expected [SOURCE:]TARGET[:MODE]",
  "format/volume_test/TestParseVolumeSplitCases#18": "not_equal source: load failed: invalid volume specification: \"name:D:\": expected [SOURCE:]TARGET[:MODE]",
  "format/volume_test/TestParseVolumeSplitCases#19": "not_equal source: load failed: invalid volume specification: \"name:D::rW\": expected [SOURCE:]TARGET[:MODE]",
  "format/volume_test/TestParseVolumeSplitCases#20": "not_equal source: load failed: invalid volume specification: \"name:D::RW\": expected [SOURCE:]TARGET[:MODE]",
  "format/volume_test/TestParseVolumeSplitCases#24": "equal source: load failed: invalid volume specification: \"\": expected [SOURCE:]TARGET[:MODE]",
  "format/volume_test/TestParseVolumeSplitCases#7": "equal source: load failed: invalid volume specification: \"d:\": expected [SOURCE:]TARGET[:MODE]",
  "format/volume_test/TestParseVolumeTooManyColons#1": "error_equals : error \"invalid volume specification: \\\"/foo:/foo:ro:foo\\\": expected [SOURCE:]TARGET[:MODE]\" vs \"invalid spec: /foo:/foo:ro:fo",
  "format/volume_test/TestParseVolumeWithInvalidVolumeOptions#1": "no_error : unexpected error: invalid volume specification: \"name:/target:bogus\": unknown option bogus",
  "format/volume_test/TestParseVolumeWithNestedBraces#1": "no_error : unexpected error: invalid volume specification: \"/tmp:/tmp/${VAR:-{default}}/path\": unknown option -{default}}/path",
  "format/volume_test/TestParseVolumeWithNestedBraces#2": "no_error : unexpected error: invalid volume specification: \"/tmp:/tmp/path/${VAR:-default}\": unknown option -default}",
  "format/volume_test/TestParseVolumeWithNestedBraces#3": "no_error : unexpected error: invalid volume specification: \"/tmp:/${VAR:-default}/path\": unknown option -default}/path",
  "format/volume_test/TestParseVolumeWithVariableDefaultValue#1": "no_error : unexpected error: invalid volume specification: \"/tmp:/tmp/${BUG_HERE:-DEFAULT}/path\": unknown option -DEFAULT}/path",
  "format/volume_test/TestParseVolumeWithVariableDefaultValue#10": "no_error : unexpected error: invalid volume specification: \"/tmp:/tmp/${TIME:-12:30:45}/path\": expected [SOURCE:]TARGET[:MODE]",
  "format/volume_test/TestParseVolumeWithVariableDefaultValue#11": "no_error : unexpected error: invalid volume specification: \"myvolume:/data/${VAR:-default}/path\": unknown option -default}/path",
  "format/volume_test/TestParseVolumeWithVariableDefaultValue#12": "no_error : unexpected error: invalid volume specification: \"/src:/target/${VAR:-default}/path:slave,ro\": expected [SOURCE:]TARGET[:MODE]",
  "format/volume_test/TestParseVolumeWithVariableDefaultValue#2": "no_error : unexpected error: invalid volume specification: \"/tmp/${VAR:-default}:/target\": mount path must be absolute",
  "format/volume_test/TestParseVolumeWithVariableDefaultValue#3": "no_error : unexpected error: invalid volume specification: \"/src/${SRC:-default}:/dst/${DST:-value}\": expected [SOURCE:]TARGET[:MODE]",
  "format/volume_test/TestParseVolumeWithVariableDefaultValue#4": "no_error : unexpected error: invalid volume specification: \"/tmp:/tmp/${VAR:-}/path\": unknown option -}/path",
  "format/volume_test/TestParseVolumeWithVariableDefaultValue#5": "no_error : unexpected error: invalid volume specification: \"/tmp:/tmp/${VAR:-default/path/value}/file\": unknown option -default/path/value}/",
  "format/volume_test/TestParseVolumeWithVariableDefaultValue#6": "no_error : unexpected error: invalid volume specification: \"/tmp:/tmp/${VAR1:-val1}/${VAR2:-val2}/path\": expected [SOURCE:]TARGET[:MODE]",
  "format/volume_test/TestParseVolumeWithVariableDefaultValue#7": "no_error : unexpected error: invalid volume specification: \"/tmp:/tmp/${VAR:-default}/path:ro\": expected [SOURCE:]TARGET[:MODE]",
  "format/volume_test/TestParseVolumeWithVariableDefaultValue#9": "no_error : unexpected error: invalid volume specification: \"/tmp:/tmp/${VAR1:-default}/${VAR2}/path\": unknown option -default}/${VAR2}/path",
  "loader/extends_test/TestExtendsReset#1": "is_nil services.test.command: not nil: [\"sleep\",\"infinity\"]",
  "loader/extends_test/TestExtendsUlimits#1": "equal services.test.ulimits.nproc.single: got \"<missing>\", want 65535",
  "loader/include_test/TestIncludeWithProjectDirectory#1": "equal services.service.build.context: got \"\u2026/include_test/TestIncludeWithProjectDirectory/loader/testdata/subdir\", want \"testdata/subdir\"",
  "loader/include_test/TestLoadWithIncludeEnv#1": "not_nil services.b.environment.VAR_NAME: nil",
  "loader/include_test/TestLoadWithMultipleInclude#1": "no_error : unexpected error: filename0.yml:9:1: services.imported.volumes: must NOT have duplicate items (items ## 0 and 1 are identical)",
  "loader/include_test/TestLoadWithMultipleIncludeConflict#1": "no_error : unexpected error: filename0.yml:11:1: services.imported.volumes: must NOT have duplicate items (items ## 0 and 1 are identical)",
  "loader/include_test/TestNestedIncludeAndExtends#1": "no_error : unexpected error: dir/dir/extended.yaml: cannot read dir/dir/extended.yaml: ENOENT: no such file or directory, open '\u2026/include_te",
  "loader/loader_test/TestBadServiceConfig#1": "error_contains : error \"config0.yaml:5:19: services.redis.network_mode: service \\\"redis\\\" declares mutually exclusive network_mode and netwo",
  "loader/loader_test/TestBuildProperties#1": "deep_equal services.db.build: got {\"context\":\"\u2026/loader_test/TestBuildProperties/loader/db\",\"shm_size\":\"2gb\",\"dockerfile\":\"Dockerfile\"}, want",
  "loader/loader_test/TestComposeFileWithVersion#1": "deep_equal services: got {\"web\":{\"build\":{\"context\":\"\u2026/loader_test/TestComposeFileWithVersion/loader/Dockerfile\",\"dockerfile\":\"Dockerfile\"},",
  "loader/loader_test/TestDecodeErrors#1": "error_contains : error \"filename0.yml:5:1: Tabs are not allowed as indentation\" vs \"found a tab character that violates indentation\"",
  "loader/loader_test/TestDiscardEnvFileOption#1": "no_error : unexpected error: filename0.yml:6:6: services.web.env_file: env file example1.env not found: stat example1.env: no such file or d",
  "loader/loader_test/TestEmptyFile#1": "error_equals : error \"project name must not be empty\" vs \"empty compose file\"",
  "loader/loader_test/TestInvalidEnvironmentObject#1": "error_contains : error \"filename0.yml:6:18: services.dict-env.environment: must be a list or mapping\" vs \"services.dict-env.environment must",
  "loader/loader_test/TestInvalidProjectNameType#1": "error_equals : error \"filename0.yml:1:7: name: must be a string\" vs \"validating filename0.yml: name must be a string\"",
  "loader/loader_test/TestKnowExtensions#1": "equal services.test.x-magic.Foo: got \"<missing>\", want \"bar\"",
  "loader/loader_test/TestLoadBindMountSourceMustNotBeEmpty#1": "error_equals : error \"filename0.yml:7:9: services.tmpfs.volumes[0]: bind mount source is required\" vs \"invalid mount config for type \\\"bind\\",
  "loader/loader_test/TestLoadExtendsMultipleFiles#1": "equal services.b.build.context: got \"\u2026/loader_test/TestLoadExtendsMultipleFiles/tmpdir1/b\", want \"\u2026/loader_test/TestLoadExtendsMultipleFiles",
  "loader/loader_test/TestLoadExtensions#1": "deep_equal services.another.depends_on.foo.#extensions: got {}, want {\"x-depends-on\":\"depends\"}",
  "loader/loader_test/TestLoadNetworkWithName#1": "deep_equal : got {\"name\":\"load-network-with-name\",\"services\":{\"hello-world\":{\"image\":\"redis:alpine\",\"networks\":{\"network1\":null,\"network3\":n",
  "loader/loader_test/TestLoadProjectName#2": "error_contains : expected error \"project name must not be empty\"",
  "loader/loader_test/TestLoadSSHWithKeyValueInBuildConfig#1": "equal services.test.build.ssh.@Get(\"key1\"): got \"value1\", want \"\u2026/loader_test/TestLoadSSHWithKeyValueInBuildConfig/loader/value1\"",
  "loader/loader_test/TestLoadSSHWithKeysValuesInBuildConfig#1": "equal services.test.build.ssh.@Get(\"key1\"): got \"value1\", want \"\u2026/loader_test/TestLoadSSHWithKeysValuesInBuildConfig/loader/value1\"",
  "loader/loader_test/TestLoadSSHWithoutValueInBuildConfig#1": "error_contains : error \"filename0.yml:7:11: services.test.build.ssh: must be a list or mapping\" vs \"services.test.build.ssh must be a mappin",
  "loader/loader_test/TestLoadTmpfsVolume#1": "deep_equal services.tmpfs.volumes[0]: got {\"type\":\"tmpfs\",\"target\":\"/app\",\"tmpfs\":{\"size\":\"1kb\"}}, want {\"target\":\"/app\",\"type\":\"tmpfs\",\"tmp",
  "loader/loader_test/TestLoadUnitBytes#1": "equal services.test2.memswap_limit: got \"640kb\", want \"655360\"",
  "loader/loader_test/TestLoadWithBindMountVolume#1": "is_true volumes.data.driver_opts.device.@IsAbs(): not true: false",
  "loader/loader_test/TestLoadWithExtends#1": "deep_equal services: got {\"importer\":{\"image\":\"nginx\",\"container_name\":\"imported\",\"env_file\":[{\"path\":\"\u2026/loader_test/TestLoadWithExtends/loa",
  "loader/loader_test/TestLoadWithExtendsWithContextUrl#1": "no_error : unexpected error: \u2026/loader_test/TestLoadWithExtendsWithContextUrl/loader/testdata/testdata/compose-test-extends-with-context-url-",
  "loader/loader_test/TestLoadWithInterpolationCastFull#1": "deep_equal : got {\"name\":\"load-with-interpolation-cast-full\",\"services\":{\"web\":{\"configs\":[{\"source\":\"appconfig\",\"mode\":365}],\"secrets\":[{\"s",
  "loader/loader_test/TestLoadWithLabelFile#1": "deep_equal : got {\"name\":\"load-label-file\",\"services\":{\"service_1\":{\"label_file\":\"./example1.label\",\"$Name\":\"service_1\"},\"service_2\":{\"label",
  "loader/loader_test/TestNonStringKeys#1": "error_contains : error \"filename0.yml:2:1: additional properties '123' not allowed\" vs \"non-string key at top level: 123\"",
  "loader/loader_test/TestNonStringKeys#2": "error_contains : error \"project name must not be empty\" vs \"non-string key in services: 123\"",
  "loader/loader_test/TestNonStringKeys#3": "error_contains : error \"filename0.yml:9:11: networks.default.ipam.config[0]: additional properties '123' not allowed\" vs \"non-string key in ",
  "loader/loader_test/TestNonStringKeys#4": "error_contains : error \"project name must not be empty\" vs \"non-string key in services.dict-env.environment: 1\"",
  "loader/loader_test/TestProjectNameInterpolation#1": "equal services.web.container_name: got \"-web\", want \"interpolated-web\"",
  "loader/loader_test/TestProjectNameInterpolation#2": "equal services.web.container_name: got \"-web\", want \"overrided-web\"",
  "loader/loader_test/TestServiceDeviceRequestCountAndDeviceIdsExclusive#1": "error_contains : expected error \"\\\"count\\\" and \\\"device_ids\\\" attributes are exclusive\"",
  "loader/loader_test/TestServiceDeviceRequestCountInvalidStringType#1": "error_contains : expected error \"invalid value \\\"some_string\\\", the only value allowed is 'all' or a number\"",
  "loader/loader_test/TestServiceDeviceRequestCountStringType#1": "equal services.hello-world.deploy.resources.reservations.devices[0].count: got \"all\", want -1",
  "loader/loader_test/TestServiceDeviceRequestWithoutCountAndDeviceIdsType#1": "equal services.hello-world.deploy.resources.reservations.devices[0].count: got \"<missing>\", want -1",
  "loader/loader_test/TestWithSelectedServicesOption#2": "absent services.api: present",
  "loader/loader_test/TestWithSelectedServicesOption#3": "absent services.worker: present",
  "loader/loader_test/TestWithSelectedServicesOption#4": "absent services.web: present",
  "loader/loader_test/TestWithSelectedServicesOption_SkipsMissingEnvFile#2": "no_error : unexpected error: filename0.yml:9:7: services.other.env_file: env file \u2026/loader_test/TestWithSelectedServicesOption_SkipsMissingE",
  "loader/loader_test/TestWithoutUnnecessaryResourcesOption#2": "absent networks.backnet: present",
  "loader/loader_test/TestWithoutUnnecessaryResourcesOption_AllResourceKinds#1": "absent secrets.unused_secret: present",
  "loader/loader_test/TestWithoutUnnecessaryResourcesOption_NoSelection#1": "absent networks.orphan_net: present",
  "loader/merge_reset_test/Test_DuplicateReset#1": "error_contains : error \"duplicate.yml:6:6: Map keys must be unique\" vs \"line 6: mapping key \\\"command\\\" already defined at line 5\"",
  "loader/normalize_test/TestImplicitContextPath#1": "deep_equal : got {\"services\":{\"test\":{\"build\":{\"context\":\"\u2026/normalize_test/TestImplicitContextPath\",\"dockerfile\":\"Dockerfile\"},\"networks\":{\"",
  "loader/normalize_test/TestNormalizeEnvironment#1": "deep_equal : got {\"services\":{\"test\":{\"environment\":{\"FOO\":null,\"BAR\":\"bar\",\"ZOT\":\"QIX\"},\"networks\":{\"default\":null}}},\"networks\":{\"default\"",
  "loader/normalize_test/TestNormalizeImplicitDependencies#1": "deep_equal : got {\"services\":{\"test\":{\"ipc\":\"service:foo\",\"cgroup\":\"service:bar\",\"uts\":\"service:baz\",\"pid\":\"service:qux\",\"volumes_from\":[\"qu",
  "loader/normalize_test/TestNormalizeNetworkNames#1": "deep_equal : got {\"services\":{\"foo\":{\"build\":{\"context\":\"\u2026/normalize_test/TestNormalizeNetworkNames/testdata\",\"args\":{\"FOO\":\"BAR\",\"ZOT\":null",
  "loader/normalize_test/TestNormalizePreStartInheritsServiceImage#1": "deep_equal : got {\"services\":{\"app\":{\"image\":\"alpine\",\"pre_start\":[{\"command\":[\"migrate\"]},{\"image\":\"busybox\",\"command\":[\"chown\",\"-R\",\"1000:",
  "loader/override_test/TestOverrideBuildContext#1": "equal services.test.build.context: got \"\u2026/override_test/TestOverrideBuildContext/loader/src\", want \"src\"",
  "loader/override_test/TestOverrideMiddle#1": "len services.test.volumes: len 3, want 2",
  "loader/override_test/TestOverrideVolume#1": "no_error : unexpected error: override:5:7: services.test.volumes: must NOT have duplicate items (items ## 0 and 1 are identical)",
  "loader/reset_test/TestAliasNodePreservation#1": "error_contains : error \"inline.yaml: excessive alias expansion (resource exhaustion protection)\" vs \"excessive aliasing\"",
  "loader/reset_test/TestMergeKeyAliasToScalarRejected#1": "error_contains : error \"inline.yaml:6:5: merge key << must refer to a mapping\" vs \"map merge requires map\"",
  "loader/reset_test/TestResetCycle#6": "non-Capstan error: RangeError: Maximum call stack size exceeded",
  "loader/reset_test/TestVisitCounterLimit#1": "error_contains : expected error \"exceeds maximum node visit limit\"",
  "loader_tests/blkio_config_test/TestBlkioConfig#1": "equal services.foo.blkio_config.device_read_bps[0].rate: got \"1024k\", want \"1048576\"",
  "loader_tests/build_extra_test/TestBuildAttestations#1": "no_error : unexpected error: compose.yml:7:7: services.foo.build: additional properties 'provenance' not allowed",
  "loader_tests/build_extra_test/TestBuildNoCacheFilter#1": "no_error : unexpected error: compose.yml:7:7: services.string.build: additional properties 'no_cache_filter' not allowed",
  "loader_tests/build_extra_test/TestBuildShmSize#1": "equal services.foo.build.shm_size: got \"128m\", want \"134217728\"",
  "loader_tests/build_test/TestBuildSecrets#1": "equal services.foo.build.secrets[1].mode: got 288, want \"0440\"",
  "loader_tests/configs_test/TestServiceConfigs#1": "equal services.foo.configs[1].mode: got 288, want \"0440\"",
  "loader_tests/cpu_test/TestMemoryFields#1": "equal services.foo.mem_limit: got \"512m\", want \"536870912\"",
  "loader_tests/deploy_test/TestDeployResources#1": "equal services.foo.deploy.resources.limits.memory: got \"50M\", want \"52428800\"",
  "loader_tests/devices_test/TestDeviceMapping#1": "deep_equal services.test.devices: got [\"/dev/source:/dev/target:permissions\",\"/dev/single\"], want [{\"source\":\"/dev/source\",\"target\":\"/dev/ta",
  "loader_tests/devices_test/TestDeviceReservation#1": "equal services.test.deploy.resources.reservations.devices[0].count: got \"all\", want -1",
  "loader_tests/dns_test/TestDNSOmitEmpty#1": "len services.foo.dns: len 1, want 0",
  "loader_tests/environment_test/TestEnvironmentInvalidObject#1": "error_contains : error \"compose.yml:6:18: services.foo.environment: must be a list or mapping\" vs \"services.foo.environment must be a mappin",
  "loader_tests/environment_test/TestEnvironmentWhitespace#1": "error_contains : expected error \"environment variable DEBUG  is declared with a trailing space\"",
  "loader_tests/extra_hosts_test/TestExtraHostsRepeated#1": "deep_equal services.foo.extra_hosts: got [\"myhost=0.0.0.1,0.0.0.2\"], want [\"myhost=0.0.0.1\",\"myhost=0.0.0.2\"]",
  "loader_tests/gpus_test/TestGpus#1": "deep_equal services.test.gpus: got [{\"driver\":\"nvidia\"},{\"driver\":\"3dfx\",\"device_ids\":[\"voodoo2\"],\"capabilities\":[\"directX\"]}], want [{\"driv",
  "loader_tests/gpus_test/TestGpusAll#1": "len services.test.gpus: len 3, want 1",
  "loader_tests/pull_policy_test/TestPullRefreshAfter#1": "equal services.test.@GetPullPolicy()[0]: got \"<missing>\", want \"refresh\"",
  "loader_tests/secrets_test/TestSecretEnvironmentResolution#1": "equal configs.config.content: got \"<missing>\", want \"BU\"",
  "loader_tests/secrets_test/TestSecretFileModeNumber#1": "equal services.foo.secrets[0].mode: got 288, want \"0440\"",
  "loader_tests/secrets_test/TestSecretFileModeString#1": "equal services.foo.secrets[0].mode: got 288, want \"0440\"",
  "loader_tests/secrets_test/TestServiceSecrets#1": "equal services.foo.secrets[1].mode: got 288, want \"0440\"",
  "loader_tests/secrets_test/TestTopLevelSecrets#1": "equal secrets.secret4.content: got \"<missing>\", want \"this is a secret\"",
  "loader_tests/service_hooks_test/TestPreStartInheritsServiceImage#1": "no_error : unexpected error: compose.yml:6:5: services.test: additional properties 'pre_start' not allowed",
  "loader_tests/service_hooks_test/TestServiceHooks#1": "no_error : unexpected error: compose.yml:6:5: services.test: additional properties 'pre_start' not allowed",
  "loader_tests/template_driver_test/TestConfigEnvironment#1": "equal configs.my_config.content: got \"<missing>\", want \"my_value\"",
  "loader_tests/volume_bind_test/TestVolumeBindCreateHostPathDefault#1": "equal services.long.volumes[0].bind.create_host_path: got \"<missing>\", want true",
  "override/merge_build_test/Test_mergeYamlArgsMixed#1": "no_error : unexpected error: services.test.build.additional_contexts: cannot override services.test.build.additional_contexts: a mapping can",
  "override/merge_build_test/Test_mergeYamlBuildSequence#1": "deep_equal : got {\"services\":{\"test\":{\"build\":{\"context\":\".\",\"args\":{\"FOO\":\"BAR\",\"GIT_COMMIT\":\"cdc3b19\",\"EMPTY\":\"\",\"NIL\":null},\"additional_c",
  "override/merge_devices_test/Test_mergeYamlDevicesOverride#1": "deep_equal : got {\"services\":{\"test\":{\"image\":\"foo\",\"devices\":[\"/dev/sda:/dev/sda\",\"/dev/sdb:/dev/sdb\",\"/dev/sdc:/dev/sdc\",\"/dev/sdd:/dev/sd",
  "override/merge_env_file_test/TestMergeEnvFilesMixed#3": "deep_equal : got {\"services\":{\"test\":{\"env_file\":[{\"path\":\"bar.env\",\"required\":true},{\"path\":\"foo.env\",\"required\":true},{\"path\":\"foo.env\",\"r",
  "override/merge_extra_hosts_test/TestMergeExtraHostsMapping#1": "deep_equal : got {\"services\":{\"test\":{\"image\":\"foo\",\"extra_hosts\":[\"example.com=1.2.3.4\",\"localhost=127.0.0.1\",\"example.com=1.2.3.4,4.3.2.1\"",
  "override/merge_labels_test/Test_mergeYamlDeployLabelsMapping#1": "deep_equal : got {\"services\":{\"test\":{\"image\":\"foo\",\"deploy\":{\"labels\":{\"FOO\":\"BAR\",\"EMPTY\":\"\",\"NIL\":null,\"QIX\":\"ZOT\"}}}},\"networks\":{},\"vol",
  "override/merge_labels_test/Test_mergeYamlDeployLabelsMixed#1": "deep_equal : got {\"services\":{\"test\":{\"image\":\"foo\",\"deploy\":{\"labels\":{\"FOO\":\"BAR\",\"QIX\":\"ZOT\"}}}},\"networks\":{},\"volumes\":{},\"secrets\":{},",
  "override/merge_labels_test/Test_mergeYamlDeployLabelsNumber#1": "deep_equal : got {\"services\":{\"test\":{\"deploy\":{\"labels\":{\"FOO\":3}}}},\"networks\":{},\"volumes\":{},\"secrets\":{},\"configs\":{},\"extensions\":{}},",
  "override/merge_labels_test/Test_mergeYamlDeployLabelsSequence#1": "deep_equal : got {\"services\":{\"test\":{\"image\":\"foo\",\"deploy\":{\"labels\":{\"FOO\":\"BAR\",\"QIX\":\"ZOT\",\"EMPTY\":\"\",\"NIL\":null}}}},\"networks\":{},\"vol",
  "override/merge_links_test/TestMergeExtraLinksSequence#1": "deep_equal : got {\"services\":{\"test\":{\"image\":\"foo\",\"links\":[\"service1\",\"service2\",\"service2=alias1\"]}},\"networks\":{},\"volumes\":{},\"secrets\"",
  "override/merge_models_test/Test_mergeYamlServiceModelsMixed#1": "no_error : unexpected error: services.test.models: cannot override services.test.models: a mapping cannot replace a sequence",
  "override/merge_mounts_test/Test_mergeYamlServiceMount#1": "deep_equal : got {\"services\":{\"test\":{\"image\":\"foo\",\"secrets\":[{\"source\":\"foo\"},{\"source\":\"bar\"},{\"source\":\"zot\"},{\"source\":\"zot\",\"target\":\"",
  "override/merge_networks_test/Test_mergeYamlNetworks#1": "deep_equal : got {\"services\":{\"test\":{\"image\":\"foo\"}},\"networks\":{\"network1\":{\"ipam\":{\"config\":[{\"subnet\":\"172.28.0.0/16\",\"ip_range\":\"172.28",
  "override/merge_networks_test/Test_mergeYamlServiceNetworksMapping#1": "deep_equal : got {\"services\":{\"test\":{\"image\":\"foo\",\"networks\":{\"network1\":{\"aliases\":[\"alias1\",\"alias2\",\"alias3\",\"alias1\"],\"link_local_ips\"",
};

/** Gaps that would also take minutes to fail: not run, counted as failing. */
const SLOW_GAPS: Record<string, string> = {
  'loader/reset_test/TestVisitCounterLimitOverride#1':
    'alias bomb with MaxNodeVisits=200000: Capstan expands aliases eagerly and takes ~70 s before its own budget trips (gap: lazy alias expansion)',
};

const NOT_APPLICABLE_KINDS: Record<string, string> = {
  project_method: 'tests Go methods on a hand-built types.Project (no compose file input)',
  loadYamlModel: 'tests an internal compose-go function returning its intermediate YAML map',
  ResolveRelativePaths: 'tests an internal compose-go function on a hand-built project',
  enforce_unicity: 'tests compose-go EnforceUnicity on an internal map; covered through merge cases',
  check_consistency: 'starts from a hand-built types.Project (input_model.json), not from compose files',
};

interface Outcome {
  ok: boolean;
  why: string;
}

function readJson<T>(p: string): T {
  return JSON.parse(readFileSync(p, 'utf8')) as T;
}

function checksFor(caseDir: string, sub: Subcase): Check[] {
  const own = join(caseDir, sub.dir, 'expected.json');
  if (sub.dir !== '.' && existsSync(own)) return readJson<Check[]>(own).filter((c) => c.sub === sub.id || c.sub === undefined);
  const shared = join(caseDir, 'expected.json');
  return existsSync(shared) ? readJson<Check[]>(shared).filter((c) => c.sub === sub.id) : [];
}

function envOf(base: string, value: Record<string, string> | string | null | undefined): Record<string, string> {
  if (!value) return {};
  if (typeof value === 'string') return readJson<Record<string, string>>(join(base, value));
  return value;
}

/** A loaded project as compose-go's `types.Project` is addressed by the check paths. */
function projectView(p: Project): Record<string, unknown> {
  const services: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(p.services)) {
    const { name: _n, ...rest } = s;
    services[k] = { ...rest, $Name: k };
  }
  return {
    name: p.name,
    services,
    networks: p.networks,
    volumes: p.volumes,
    secrets: p.secrets,
    configs: p.configs,
    models: p.models,
    ...p.extensions,
    $Name: p.name,
    $Environment: p.environment,
    $WorkingDir: p.workingDir,
    $DisabledServices: p.disabledServices,
    $ComposeFiles: p.configFiles,
  };
}

function evaluate(
  checks: Check[],
  result: unknown,
  error: unknown,
  vars: { pwd: string; base: string },
  logs: string[],
  canonical?: (v: unknown) => unknown,
): Outcome {
  const msg = error instanceof Error ? error.message : '';
  for (const c of checks) {
    const value = expandPlaceholders(c.value, vars);
    const fail = (why: string): Outcome => ({ ok: false, why: `${c.op} ${c.path ?? ''}: ${why}` });
    switch (c.op) {
      case 'no_error':
        if (error) return fail(`unexpected error: ${msg}`);
        continue;
      case 'error':
        if (!error) return fail('expected an error');
        continue;
      case 'error_contains':
      case 'error_prefix':
      case 'error_equals': {
        if (!error) return fail(`expected error ${JSON.stringify(value)}`);
        const forms = errorForms(error as { message: string; reason?: string; keyPath?: string });
        const v = String(value);
        const ok =
          c.op === 'error_equals' ? forms.some((f) => f === v || f.endsWith(v)) : c.op === 'error_prefix' ? forms.some((f) => f.startsWith(v)) : forms.some((f) => f.includes(v));
        if (!ok) return fail(`error ${JSON.stringify(msg)} vs ${JSON.stringify(v)}`);
        continue;
      }
      case 'log_contains':
        if (!logs.some((l) => l.includes(String(value)))) return fail(`no log ${JSON.stringify(value)}`);
        continue;
      case 'untranslated':
        return { ok: false, why: 'untranslated upstream assertion' };
      default:
        break;
    }
    // Go returns a nil project with an error: `is_nil` on the project itself holds then.
    if (error && c.op === 'is_nil' && !c.path) continue;
    if (error) return fail(`load failed: ${msg}`);
    const actual = c.path ? getPath(result, c.path) : result;
    let expected = c.value_yaml !== undefined ? parseYamlText(c.value_yaml) : value;
    if (c.root === 'model' && canonical) expected = canonical(expected);
    switch (c.op) {
      case 'equal':
      case 'deep_equal':
        if (!looseEqual(actual, expected)) return fail(`got ${JSON.stringify(isMissing(actual) ? '<missing>' : actual)}, want ${JSON.stringify(expected)}`);
        break;
      case 'not_equal':
        if (looseEqual(actual, expected)) return fail('values are equal');
        break;
      case 'len': {
        const n = Array.isArray(actual) ? actual.length : actual && typeof actual === 'object' ? Object.keys(actual).length : typeof actual === 'string' ? actual.length : isMissing(actual) ? 0 : -1;
        if (n !== Number(expected)) return fail(`len ${n}, want ${String(expected)}`);
        break;
      }
      case 'is_nil':
        if (!(isMissing(actual) || actual === null || actual === undefined)) return fail(`not nil: ${JSON.stringify(actual)}`);
        break;
      case 'not_nil':
        if (isMissing(actual) || actual === null) return fail('nil');
        break;
      case 'present':
        if (isMissing(actual)) return fail('absent');
        break;
      case 'absent':
        if (!isMissing(actual)) return fail('present');
        break;
      case 'is_true':
        if (actual !== true) return fail(`not true: ${JSON.stringify(actual)}`);
        break;
      case 'is_false':
        if (!isEmpty(actual)) return fail(`not false: ${JSON.stringify(actual)}`);
        break;
      default:
        return fail(`unsupported check op ${c.op}`);
    }
  }
  return { ok: true, why: '' };
}

async function runSubcase(caseDir: string, sub: Subcase): Promise<Outcome> {
  if (NOT_APPLICABLE_KINDS[sub.kind]) return { ok: false, why: `kind ${sub.kind}: ${NOT_APPLICABLE_KINDS[sub.kind]}` };
  const base = join(caseDir, sub.dir);
  const checks = checksFor(caseDir, sub);
  const rel = sub.working_dir_case_relative ?? sub.cwd_case_relative ?? sub.config_files?.[0]?.file ?? '';
  const pkg = rel.split('/')[0] ?? '';
  const vars = { pwd: join(base, pkg), base };
  const logs: string[] = [];
  let result: unknown;
  let error: unknown;
  try {
    result = await produce(caseDir, base, sub, vars, logs);
  } catch (err) {
    if (!(err instanceof CapstanError)) return { ok: false, why: `non-Capstan error: ${String((err as Error)?.stack ?? err)}` };
    error = err;
  }
  if (checks.length === 0) return error ? { ok: false, why: `error ${(error as Error).message}` } : { ok: true, why: '' };
  const canonical =
    sub.kind === 'merge'
      ? comparableModel
      : sub.kind === 'normalize'
        ? (v: unknown) => (v && typeof v === 'object' ? normalizedView(v as Record<string, unknown>, envOf(base, sub.env), vars.pwd, String((v as { name?: unknown }).name ?? 'myProject')) : v)
        : undefined;
  return evaluate(checks, result, error, vars, logs, canonical);
}

async function produce(caseDir: string, base: string, sub: Subcase, vars: { pwd: string; base: string }, logs: string[]): Promise<unknown> {
  const onWarning = (m: string) => logs.push(m);
  switch (sub.kind) {
    case 'LoadWithContext': {
      const o = sub.options ?? {};
      const files = (sub.config_files ?? []).map((f) => join(base, f.file));
      const given = String(expandPlaceholders(sub.working_dir ?? vars.pwd, vars));
      // a relative WorkingDir is relative to the upstream test's cwd: the case folder here
      const wd = !isAbsolute(given) && sub.working_dir_case_relative ? join(base, sub.working_dir_case_relative) : given;
      const setName = o['SetProjectName()'] as [string, boolean] | undefined;
      const project = await loadProject({
        files,
        projectDirectory: wd,
        cwd: wd,
        env: envOf(base, expandPlaceholders(sub.environment, vars) as Record<string, string>),
        noDotEnv: true,
        projectName: setName?.[0] ?? (o.projectName as string | undefined),
        skipNormalization: o.SkipNormalization === true,
        skipConsistency: o.SkipConsistencyCheck === true,
        skipValidation: o.SkipValidation === true,
        resolvePaths: o.ResolvePaths !== false,
        // LoadWithContext names a project only from SetProjectName() or `name:`; the cli layer
        // (below) adds COMPOSE_PROJECT_NAME and the directory.
        nameFromDirectory: false,
        nameFromEnvironment: false,
        keepEnvFiles: o.WithDiscardEnvFiles !== true,
        profiles: (o.Profiles as string[] | undefined) ?? [],
        services: Array.isArray(o.WithSelectedServices) ? ((o.WithSelectedServices as unknown[])[0] as string[] | null) ?? undefined : undefined,
        pruneResources: o.WithoutUnnecessaryResources === true,
        onWarning,
      });
      return projectView(project);
    }
    case 'NewProjectOptions':
    case 'ProjectFromOptions': {
      const cwd = String(expandPlaceholders(sub.cwd ?? vars.pwd, vars));
      let env: Record<string, string> = {};
      let name: string | undefined;
      let workdir: string | undefined;
      let envFiles: string[] | undefined;
      let dotenv = false;
      let discoverFiles = false;
      // Go constants the extraction left symbolic, e.g. `<builtin consts.ComposeProjectName>=x`.
      const builtin = (s: string) => s.replace('<builtin consts.ComposeProjectName>', 'COMPOSE_PROJECT_NAME');
      for (const opt of sub.cli_options ?? []) {
        const [k, args] = Object.entries(opt)[0]!;
        if (k === 'WithName') name = String(args[0]);
        else if (k === 'WithEnv') for (const kv of ((args[0] as string[] | null) ?? []).map(builtin)) env[kv.slice(0, kv.indexOf('='))] = kv.slice(kv.indexOf('=') + 1);
        else if (k === 'WithOsEnv') env = { ...sub.process_env, ...env };
        else if (k === 'WithWorkingDirectory') workdir = String(expandPlaceholders(args[0], vars));
        else if (k === 'WithEnvFiles') envFiles = (args as string[]).map(String);
        else if (k === 'WithDotEnv') dotenv = true;
        else if (k === 'WithDefaultConfigPath' || k === 'WithConfigFileEnv') discoverFiles = true;
      }
      const files =
        discoverFiles && (sub.config_files ?? []).length === 0
          ? undefined
          : (sub.config_files ?? []).map((f) => (f.upstream_filename === '-' ? '-' : join(base, f.file)));
      const input = { files, cwd, projectDirectory: workdir, projectName: name, env, envFiles, noDotEnv: !dotenv, onWarning };
      if (sub.kind === 'NewProjectOptions') {
        // cli.NewProjectOptions only gathers options: name check, env files, file list.
        const { resolveProjectOptions } = await import('../../src/loader/discover.js');
        const o = await resolveProjectOptions(input);
        return { Name: o.projectName ?? '', Environment: o.environment, WorkingDir: o.workingDir, ConfigPaths: o.files };
      }
      // The upstream stdin test (TestProjectComposefilesFromStdin) pipes this document; the
      // extraction did not capture it, its checks (services.simple.image) describe it.
      const readStdin = async () => 'services:\n  simple:\n    image: nginx\n';
      return projectView(await loadProject({ ...input, readStdin }));
    }
    case 'merge': {
      const layers = (sub.inputs ?? []).map((f) => parseYaml(readFileSync(join(base, f), 'utf8'), f)[0]!.data);
      return comparableModel(mergeLayers(layers));
    }
    case 'normalize': {
      const input = parseYaml(readFileSync(join(base, sub.input ?? 'input.yaml'), 'utf8'), 'input.yaml')[0]!.data as Record<string, unknown>;
      return normalizedView(mergeLayers([input]), envOf(base, sub.env), vars.pwd, String(input.name ?? 'myProject'));
    }
    case 'func': {
      if (sub.function !== 'ParseVolume') throw new Error(`function ${sub.function} not mapped`);
      const args = readJson<unknown[]>(join(base, sub.input ?? 'args.json'));
      try {
        return parseVolumeSpec(String(args[0]), { workingDir: '/', keepRelative: true });
      } catch (err) {
        // `parsed, _ := ParseVolume(...)`: upstream discards the error and checks the zero value
        if (sub.call?.includes(', _ :=') && err instanceof CapstanError) return {};
        throw err;
      }
    }
    default:
      throw new Error(`kind ${sub.kind} not mapped`);
  }
}

/**
 * compose-go's `Normalize` on a raw model: defaults and canonical forms, paths left as written
 * (its expected models keep `./testdata`). Expected models go through the same function, so both
 * sides are compared in Capstan's canonical form.
 */
function normalizedView(model: Record<string, unknown>, env: Record<string, string>, workingDir: string, projectName: string): unknown {
  const n = normalizeModel(model, { projectName, workingDir, environment: env, resolvePaths: false });
  return JSON.parse(JSON.stringify({ ...n, services: Object.fromEntries(Object.entries(n.services).map(([k, s]) => [k, { ...s, name: undefined }])) }));
}

/**
 * Merge results (compose-go keeps its raw YAML map, with `K=V` lists) are compared after both
 * sides go through Capstan's canonical form, without path resolution or normalisation.
 */
function comparableModel(m: unknown): unknown {
  if (m === null || typeof m !== 'object') return m;
  const n = normalizeModel(m as Record<string, unknown>, {
    projectName: 'p',
    workingDir: '/',
    environment: {},
    resolvePaths: false,
    skipNormalization: true,
  });
  const services = Object.fromEntries(Object.entries(n.services).map(([k, s]) => [k, { ...s, name: undefined }]));
  return JSON.parse(JSON.stringify({ ...n, services }));
}

/**
 * `CAPSTAN_CONFORMANCE_LOOSE=1` runs every subcase without asserting (no `it.fails` either), so
 * that `CAPSTAN_CONFORMANCE_REPORT=<file>` lists exactly the subcases failing today; use it to
 * refresh {@link GAPS} after loader work.
 */
const LOOSE = process.env.CAPSTAN_CONFORMANCE_LOOSE === '1';
const tally = { total: 0, passed: 0, listed: 0 };
const failures: string[] = [];

describe.skipIf(!HAVE_CONFORMANCE || !existsSync(ROOT))('compose-go loader cases (loader_cases/)', () => {
  const index = readJson<{ dir: string }[]>(join(ROOT, 'index.json'));
  for (const t of index) {
    const caseDir = join(ROOT, t.dir);
    const c = readJson<CaseFile>(join(caseDir, 'case.json'));
    for (const sub of c.subcases) {
      const key = `${t.dir}#${sub.id}`;
      const reason = DIFFERENCES[key] ?? GAPS[key] ?? (NOT_APPLICABLE_KINDS[sub.kind] ? `not applicable: ${NOT_APPLICABLE_KINDS[sub.kind]}` : undefined);
      const title = `${t.dir} #${sub.id}${sub.label ? ` (${sub.label})` : ''}`;
      if (SLOW_GAPS[key]) {
        it.skip(`${title} — ${SLOW_GAPS[key]}`, () => {});
        continue;
      }
      (reason && !LOOSE ? it.fails : it)(title, async () => {
        tally.total++;
        const out = await runSubcase(caseDir, sub);
        if (out.ok) tally.passed++;
        else failures.push(`${key}\t${out.why.split('\n')[0]!.slice(0, 300)}`);
        if (reason) tally.listed++;
        if (!LOOSE) expect(out.ok, out.why).toBe(true);
      });
    }
  }
  afterAll(() => {
    process.stdout.write(
      `loader_cases: ${tally.passed}/${tally.total} subcases pass; ${Object.keys(DIFFERENCES).length} deliberate differences, ` +
        `${Object.keys(GAPS).length} known gaps, not-applicable kinds: ${Object.keys(NOT_APPLICABLE_KINDS).join(', ')}\n`,
    );
    if (process.env.CAPSTAN_CONFORMANCE_REPORT) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      void import('node:fs').then((fs) => fs.writeFileSync(process.env.CAPSTAN_CONFORMANCE_REPORT!, failures.join('\n') + '\n'));
    }
  });
});

if (!HAVE_CONFORMANCE) {
  describe('compose-go loader cases', () => {
    it.skip(`${CONFORMANCE_DIR} is absent: conformance data not available on this machine`, () => {});
  });
}

void readdirSync;
