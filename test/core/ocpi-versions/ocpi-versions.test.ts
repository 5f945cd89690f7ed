import {
  compareVersions,
  HUB_FORM_VERSION,
  highestCommonVersion,
  isOcpiVersion,
  OCPI_VERSIONS,
  versionPath,
} from '../../../src/core/ocpi-versions/ocpi-versions';

describe('OCPI versions as data', () => {
  it('knows 2.1.1, 2.2.1 and 2.3.0, oldest first, with 2.2.1 as the hub form between the others', () => {
    expect(OCPI_VERSIONS).toEqual(['2.1.1', '2.2.1', '2.3.0']);
    expect(HUB_FORM_VERSION).toBe('2.2.1');
    expect(compareVersions('2.1.1', '2.3.0')).toBeLessThan(0);
    expect(compareVersions('2.3.0', '2.2.1')).toBeGreaterThan(0);
    expect(compareVersions('2.2.1', '2.2.1')).toBe(0);
  });

  it('tells a version it knows from one it does not', () => {
    expect(isOcpiVersion('2.3.0')).toBe(true);
    expect(isOcpiVersion('2.2')).toBe(false);
    expect(isOcpiVersion(221)).toBe(false);
  });

  it('picks the highest version both sides support, ignoring what either side does not offer', () => {
    expect(highestCommonVersion(['2.1.1', '2.2.1', '2.3.0'], ['2.0', '2.1.1', '2.2.1'])).toBe('2.2.1');
    expect(highestCommonVersion(['2.2.1'], ['2.1.1', '2.2.1', '2.3.0'])).toBe('2.2.1');
    expect(highestCommonVersion(['2.1.1', '2.2.1', '2.3.0'], ['2.3.0', '2.1.1'])).toBe('2.3.0');
    expect(highestCommonVersion(['2.2.1'], ['2.1.1', '3.0'])).toBeNull();
    expect(highestCommonVersion(['2.2.1'], [])).toBeNull();
  });

  it('walks from one version to another one step at a time, in either direction', () => {
    expect(versionPath('2.1.1', '2.3.0')).toEqual(['2.1.1', '2.2.1', '2.3.0']);
    expect(versionPath('2.3.0', '2.1.1')).toEqual(['2.3.0', '2.2.1', '2.1.1']);
    expect(versionPath('2.2.1', '2.2.1')).toEqual(['2.2.1']);
  });
});
