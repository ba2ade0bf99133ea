import { notifications } from '@mantine/notifications';
import { useNavigate, useParams } from 'react-router';
import { EditPage } from '@/components/ui/EditPage';
import { NotFoundState } from '@/components/ui/QueryStates';
import { ClientForm } from '@/features/clients/components/ClientForm';
import { useClient, useUpdateClient } from '@/features/clients/hooks/queries';
import type { Id } from '@/api/types';
import { parseId } from '@/lib/ids';

const NOT_FOUND = { what: 'client', backTo: '/clients', backLabel: 'Back to clients' } as const;

export default function ClientEditRoute() {
  const clientId = parseId(useParams().clientId);
  if (clientId === undefined) return <NotFoundState {...NOT_FOUND} />;
  return <ClientEdit clientId={clientId} />;
}

function ClientEdit({ clientId }: { clientId: Id }) {
  const navigate = useNavigate();
  const update = useUpdateClient(clientId);
  return (
    <EditPage
      query={useClient(clientId)}
      notFound={NOT_FOUND}
      header={(client) => ({
        title: `Edit ${client.name}`,
        breadcrumbs: [
          { label: 'Clients', to: '/clients' },
          { label: client.name, to: `/clients/${client.id}` },
        ],
      })}
    >
      {(client) => (
        <ClientForm
          client={client}
          submitLabel="Save changes"
          onCancel={() => navigate(`/clients/${client.id}`)}
          onSubmit={async (payload) => {
            await update.mutateAsync(payload);
            notifications.show({ color: 'teal', message: 'Client saved.' });
            navigate(`/clients/${client.id}`);
          }}
        />
      )}
    </EditPage>
  );
}
