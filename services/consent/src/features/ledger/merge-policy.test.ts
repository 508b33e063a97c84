import { planMergeRecords, planSplitRecords } from './merge-policy';

describe('planMergeRecords', () => {
  it('planMergeRecords should let the stricter state win per purpose and record only changes', () => {
    const planned = planMergeRecords(
      { email_marketing: 'granted', analytics: 'granted', sms_marketing: 'withdrawn' },
      { email_marketing: 'withdrawn', analytics: 'unknown', sms_marketing: 'granted', advertising: 'denied' },
    );
    expect(planned).toEqual([
      { purpose: 'advertising', status: 'denied' },
      { purpose: 'email_marketing', status: 'withdrawn' },
    ]);
  });

  it('planMergeRecords should plan nothing when the absorbed profile never recorded consent', () => {
    expect(planMergeRecords({ email_marketing: 'granted' }, { email_marketing: 'unknown' })).toEqual([]);
  });
});

describe('planSplitRecords', () => {
  it('planSplitRecords should copy every recorded purpose of the original', () => {
    expect(
      planSplitRecords({ sms_marketing: 'denied', email_marketing: 'granted', analytics: 'unknown' }),
    ).toEqual([
      { purpose: 'email_marketing', status: 'granted' },
      { purpose: 'sms_marketing', status: 'denied' },
    ]);
  });
});
