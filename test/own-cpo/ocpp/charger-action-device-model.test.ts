import { deviceModelWritesOf } from '../../../src/own-cpo/ocpp/charger-action-device-model';

describe('what an operator\'s call tells of the device model', () => {
  it('a 1.6 GetConfiguration answer is reported configuration; a ChangeConfiguration is a set with the charger\'s status', () => {
    const answer = { configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '300' }], unknownKey: ['Nope'] };
    expect(deviceModelWritesOf('GetConfiguration', { key: ['HeartbeatInterval', 'Nope'] }, answer)).toEqual([{ kind: 'configuration', answer }]);
    expect(deviceModelWritesOf('ChangeConfiguration', { key: 'HeartbeatInterval', value: '600' }, { status: 'RebootRequired' })).toEqual([
      { kind: 'changed-configuration', key: 'HeartbeatInterval', value: '600', status: 'RebootRequired' },
    ]);
  });

  it('2.0.1 SetVariables: each value sent is matched with the result naming the same component, variable and attribute type', () => {
    const params = {
      setVariableData: [
        { attributeValue: '90', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } },
        { attributeValue: '32', attributeType: 'MaxSet', component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'Power' } },
        { attributeValue: 'x', component: { name: 'Unanswered' }, variable: { name: 'V' } },
      ],
    };
    const answer = {
      setVariableResult: [
        { attributeStatus: 'Rejected', attributeType: 'MaxSet', component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'Power' }, attributeStatusInfo: { reasonCode: 'OutOfRange' } },
        // "Actual" is the attribute type a result without one names.
        { attributeStatus: 'Accepted', attributeType: 'Actual', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } },
      ],
    };
    expect(deviceModelWritesOf('SetVariables', params, answer)).toEqual([
      {
        kind: 'set-variables',
        outcomes: [
          { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, attributeType: undefined, attributeValue: '90', attributeStatus: 'Accepted', attributeStatusInfo: undefined },
          { component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'Power' }, attributeType: 'MaxSet', attributeValue: '32', attributeStatus: 'Rejected', attributeStatusInfo: { reasonCode: 'OutOfRange' } },
        ],
      },
    ]);
  });

  it('a GetVariables answer is reported variables; other actions write nothing', () => {
    const results = [{ attributeStatus: 'Accepted', attributeValue: '300', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }];
    expect(deviceModelWritesOf('GetVariables', { getVariableData: [] }, { getVariableResult: results })).toEqual([{ kind: 'variables', results }]);
    expect(deviceModelWritesOf('Reset', { type: 'Soft' }, { status: 'Accepted' })).toEqual([]);
    expect(deviceModelWritesOf('SetVariables', { setVariableData: [] }, { setVariableResult: [] })).toEqual([]);
  });
});
