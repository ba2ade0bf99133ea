import { notifications } from '@mantine/notifications';
import { useNavigate } from 'react-router';
import { PageHeader } from '@/components/ui/PageHeader';
import { ClientForm } from '@/features/clients/components/ClientForm';
import { useCreateClient } from '@/features/clients/hooks/queries';

export default function ClientNew() {
  const navigate = useNavigate();
  const create = useCreateClient();
  return (
    <div style={{ maxWidth: 760 }}>
      <PageHeader title="New client" breadcrumbs={[{ label: 'Clients', to: '/clients' }]} />
      <ClientForm
        submitLabel="Create client"
        onCancel={() => navigate('/clients')}
        onSubmit={async (payload) => {
          const client = await create.mutateAsync(payload);
          notifications.show({ color: 'teal', message: `${client.name} was added.` });
          navigate(`/clients/${client.id}`);
        }}
      />
    </div>
  );
}
