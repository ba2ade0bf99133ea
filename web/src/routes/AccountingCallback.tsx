import { Anchor, Loader, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useEffect, useRef } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { errorMessage, isApiError } from '@/api/errors';
import { useAccountingCallback } from '@/features/settings/hooks/accounting';

/** Where Xero or QuickBooks sends the browser back: the code and state go to the API once, then to Settings. */
export default function AccountingCallback() {
  const { provider = '' } = useParams();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const callback = useAccountingCallback();
  const sent = useRef(false);
  const code = params.get('code');
  const state = params.get('state');
  const denied = params.get('error');

  useEffect(() => {
    if (sent.current || !code || !state) return;
    // The state is single use: a second request (React's development double effect) would be refused.
    sent.current = true;
    callback.mutate(
      { provider, code, state, realmId: params.get('realmId') },
      {
        onSuccess: (item) => {
          notifications.show({ color: 'teal', message: `${item.label} is connected. The first sync starts within a minute.` });
          void navigate('/settings?tab=integrations', { replace: true });
        },
      },
    );
  }, [provider, code, state, params, callback, navigate]);

  // A spent or forged state is a field error on `state`: its message says to start again from Settings.
  const failure = isApiError(callback.error) && callback.error.fieldErrors[0] ? callback.error.fieldErrors[0].message : errorMessage(callback.error);
  const problem = denied ? `The connection was not allowed (${denied}).` : !code || !state ? 'The link is incomplete.' : null;
  return (
    <Stack maw={560} gap="md">
      {problem || callback.isError ? (
        <Text role="alert">{problem ?? failure}</Text>
      ) : (
        <Text>
          <Loader size="xs" mr="xs" />
          Connecting…
        </Text>
      )}
      <Anchor component={Link} to="/settings?tab=integrations">
        Back to the integration settings
      </Anchor>
    </Stack>
  );
}
