import { render } from 'preact';
import '../shared/base.css';
import './chat.css';
import { ChatApp } from './chat-app';

render(<ChatApp />, document.getElementById('app') ?? document.body);
